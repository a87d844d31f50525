"""Run one function from several threads at the same instant (each with its own DB connection)."""

import threading

from django.db import connection


def run_at_once(func, times: int) -> tuple[list, list]:
    barrier, results, errors = threading.Barrier(times), [], []

    def worker():
        try:
            barrier.wait()
            results.append(func())
        except Exception as exc:  # noqa: BLE001 -- returned to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors
