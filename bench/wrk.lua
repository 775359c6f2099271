-- wrk script shared by every measure of bench/runner.py. Configured by environment:
--   BENCH_METHOD   GET (default) or POST
--   BENCH_HEADERS  extra request headers, "Name: value" separated by "\n"
--   BENCH_BODIES   a file with one request per line, "path<TAB>body" (POST); thread t of T
--                  takes lines t, t+T, t+2T... so each request books a slot no other took
--   BENCH_EXPECT   comma-separated statuses that count as correct (e.g. "200" or "302,303")
--   BENCH_THREADS  the -t value, so each thread knows its stride
-- done() prints one line "BENCHJSON {...}" that the runner parses.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local bodies = {}
local nbodies = 0
local next_index = 1
local stride = 1
local expected = {}
unexpected = 0
exhausted = 0
last_bad = ""

function init(args)
  local method = os.getenv("BENCH_METHOD") or "GET"
  wrk.method = method
  local headers = os.getenv("BENCH_HEADERS") or ""
  for line in string.gmatch(headers, "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    if name then wrk.headers[name] = value end
  end
  for code in string.gmatch(os.getenv("BENCH_EXPECT") or "200", "%d+") do
    expected[tonumber(code)] = true
  end
  stride = tonumber(os.getenv("BENCH_THREADS") or "1")
  local path = os.getenv("BENCH_BODIES")
  if path and path ~= "" then
    for line in io.lines(path) do
      local target, body = string.match(line, "^([^\t]*)\t(.*)$")
      nbodies = nbodies + 1
      bodies[nbodies] = { target, body }
    end
  end
  next_index = tid + 1
end

function request()
  if nbodies == 0 then
    return wrk.format()
  end
  local index = next_index
  if index > nbodies then
    -- Bounded: out of fresh slots, reuse from the start (counted, reported as a failure).
    exhausted = exhausted + 1
    index = ((index - 1) % nbodies) + 1
  end
  next_index = next_index + stride
  local item = bodies[index]
  return wrk.format(nil, item[1], nil, item[2])
end

function response(status, headers, body)
  if not expected[status] then
    unexpected = unexpected + 1
    last_bad = tostring(status)
  end
end

function done(summary, latency, requests)
  local bad, out, last = 0, 0, ""
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
    out = out + (thread:get("exhausted") or 0)
    local l = thread:get("last_bad")
    if l and l ~= "" then last = l end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, '
      .. '"timeout": %d, "unexpected": %d, "exhausted": %d, "last_bad": "%s"}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, e.connect, e.read, e.write,
    e.status, e.timeout, bad, out, last))
end
