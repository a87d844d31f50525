-- wrk script: phones saving answers, PUT /api/attempts/{id}/answers, one answer per request.
--
--   wrk -t1 -c64 -d10s --latency -s bench/answers.lua http://127.0.0.1:PORT \
--       -- <attempts-file> <item ids comma-separated> <first n> <threads>
--
-- The attempts file has one "id token" line per attempt. Request n (thread k of T sends
-- n = first+k, first+k+T, ...) answers item (n // A) % K of attempt n % A with option
-- A-D chosen by n: every request writes a (attempt, item) pair no other request writes,
-- so the database must end with exactly one row per acknowledged n.
local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   attempts = {}
   for line in io.lines(args[1]) do
      local id, token = string.match(line, "(%d+) (%S+)")
      if id then table.insert(attempts, {id, token}) end
   end
   items = {}
   for item in string.gmatch(args[2], "%d+") do table.insert(items, item) end
   next_n = tonumber(args[3]) + tid
   stride = tonumber(args[4] or "1")
   letters = {"A", "B", "A", "B"}
   statuses = {}
   acked = {}
   n_acked = 0
   unparsed = 0
   sent = 0
end

function request()
   local n = next_n
   next_n = next_n + stride
   sent = sent + 1
   local a = attempts[(n % #attempts) + 1]
   local item = items[(math.floor(n / #attempts) % #items) + 1]
   local body = '{"answers": {"' .. item .. '": ["' .. letters[(n % 4) + 1] .. '"]}}'
   return wrk.format("PUT", "/api/attempts/" .. a[1] .. "/answers",
                     {["Content-Type"] = "application/json", ["X-Attempt-Token"] = a[2]}, body)
end

function response(status, hdrs, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
   if status == 200 then
      -- Responses arrive in any order across connections: the body names what was saved.
      local attempt = string.match(body, '"attempt":%s*(%d+)')
      local item = string.match(body, '"saved_items":%s*%[(%d+)%]')
      if attempt and item then
         n_acked = n_acked + 1
         acked[n_acked] = attempt .. ":" .. item
      else
         unparsed = unparsed + 1
      end
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   local total, all, sent_total, unparsed_total, last = {}, {}, 0, 0, 0
   for _, t in ipairs(threads) do
      for k, v in pairs(t:get("statuses") or {}) do total[k] = (total[k] or 0) + v end
      local a = t:get("acked") or {}
      for i = 1, (t:get("n_acked") or 0) do all[#all + 1] = '"' .. a[i] .. '"' end
      sent_total = sent_total + (t:get("sent") or 0)
      unparsed_total = unparsed_total + (t:get("unparsed") or 0)
      last = math.max(last, t:get("next_n") or 0)
   end
   local parts = {}
   for k, v in pairs(total) do parts[#parts + 1] = string.format('"%s": %d', k, v) end
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"mean": %.1f, "stdev": %.1f, "max": %d, "p50": %d, "p75": %d, ' ..
      '"p90": %d, "p95": %d, "p99": %d, "p999": %d}, ' ..
      '"statuses": {%s}, "sent": %d, "unparsed_200": %d, "next_n": %d, "acked": [%s]}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.mean, latency.stdev, latency.max,
      latency:percentile(50), latency:percentile(75), latency:percentile(90),
      latency:percentile(95), latency:percentile(99), latency:percentile(99.9),
      table.concat(parts, ", "), sent_total, unparsed_total, last, table.concat(all, ",")))
end
