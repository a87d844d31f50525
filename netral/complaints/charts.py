"""Server-side SVG charts (matplotlib, Agg/SVG backend, no pyplot state): they work offline
and need no JavaScript. Text stays text in the SVG (small, searchable, translatable)."""

import io


def _figure(width: float, height: float):
    from matplotlib.figure import Figure  # noqa: PLC0415 -- slow import

    fig = Figure(figsize=(width, height), dpi=96)
    fig.patch.set_alpha(0)
    return fig


def _svg(fig) -> bytes:
    import matplotlib  # noqa: PLC0415 -- slow import

    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9}):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    return buf.getvalue()


def monthly_svg(points: list[tuple[str, int]], *, title: str) -> bytes:
    """Reports per month as bars."""
    fig = _figure(7.5, 2.6)
    ax = fig.add_subplot()
    labels = [label for label, _ in points] or ["—"]
    values = [n for _, n in points] or [0]
    ax.bar(range(len(values)), values, color="#0b5d4b")
    ax.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 8 else 0, ha="right" if len(labels) > 8
                  else "center")
    ax.set_title(title, loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return _svg(fig)


def before_after_svg(rows: list[dict], *, title: str, before_label: str, after_label: str) -> bytes:
    """Reports per 30 days before and after the first socialization, per agency or region."""
    rows = rows[:12]
    fig = _figure(7.5, max(1.8, 0.42 * len(rows) + 1))
    ax = fig.add_subplot()
    labels = [r["label"][:40] for r in rows] or ["—"]
    before = [r["before_rate"] for r in rows] or [0]
    after = [r["after_rate"] for r in rows] or [0]
    positions = range(len(labels))
    ax.barh([p + 0.2 for p in positions], before, height=0.4, color="#98a2b3", label=before_label)
    ax.barh([p - 0.2 for p in positions], after, height=0.4, color="#0b5d4b", label=after_label)
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()
    ax.set_title(title, loc="left", fontsize=10)
    ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)
