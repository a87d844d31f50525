-- wrk script: POST one check-in per request, each for a different participant.
--
--   wrk -t1 -c64 -d10s --latency --timeout 10s -s bench/checkin.lua http://127.0.0.1:PORT \
--       -- /api/events/<id>/checkins <bearer-token> <first-participant-id> <threads>
--
-- Thread k (0-based) of T sends participant ids first+k, first+k+T, first+k+2T, ...
-- so threads never collide. Every thread has its own Lua state: it counts responses by
-- status and remembers the participant ids that came back 201; done() (main state)
-- collects those from all threads and prints one BENCH_JSON line.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   path = args[1]
   local token = args[2]
   next_id = tonumber(args[3]) + tid
   stride = tonumber(args[4] or "1")
   headers = {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
   }
   sent = 0
   first_sent = next_id
   statuses = {}
   created = {}
   n_created = 0
   unparsed = 0
end

function request()
   local id = next_id
   next_id = next_id + stride
   sent = sent + 1
   return wrk.format("POST", path, headers, '{"participant_id": ' .. id .. '}')
end

function response(status, hdrs, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
   if status == 201 then
      local pid = string.match(body, '"participant_id":%s*(%d+)')
      if pid then
         n_created = n_created + 1
         created[n_created] = tonumber(pid)
      else
         unparsed = unparsed + 1
      end
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   local total = {}
   local ids = {}
   local sent_total, unparsed_total, last_id = 0, 0, 0
   for _, thread in ipairs(threads) do
      local st = thread:get("statuses") or {}
      for k, v in pairs(st) do total[k] = (total[k] or 0) + v end
      local c = thread:get("created") or {}
      for _, pid in ipairs(c) do ids[#ids + 1] = string.format("%d", pid) end
      sent_total = sent_total + (thread:get("sent") or 0)
      unparsed_total = unparsed_total + (thread:get("unparsed") or 0)
      local nid = thread:get("next_id") or 0
      if nid > last_id then last_id = nid end
   end
   local parts = {}
   for k, v in pairs(total) do parts[#parts + 1] = string.format('"%s": %d', k, v) end
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"mean": %.1f, "stdev": %.1f, "max": %d, "p50": %d, "p75": %d, ' ..
      '"p90": %d, "p95": %d, "p99": %d, "p999": %d}, ' ..
      '"statuses": {%s}, "sent": %d, "unparsed_201": %d, "next_id": %d, "created_ids": [%s]}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.mean, latency.stdev, latency.max,
      latency:percentile(50), latency:percentile(75), latency:percentile(90),
      latency:percentile(95), latency:percentile(99), latency:percentile(99.9),
      table.concat(parts, ", "), sent_total, unparsed_total, last_id, table.concat(ids, ",")))
end
