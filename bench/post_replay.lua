-- Row 3 with wrk: replay prepared comment POSTs, each exactly once.
--
-- bench/post_replay.py writes one file per wrk thread (REQUESTS-<n>.tsv), one
-- request per line (action, Cookie header, urlencoded body, separated by tabs),
-- and runs wrk with one connection per thread, so each thread posts its file
-- strictly one request after another. A thread
-- that has had every answer writes its first-request and last-answer times
-- (CLOCK_MONOTONIC, which Python's time.monotonic() reads), its status counts
-- and each post's latency to the done file; Python then stops wrk.
--
-- wrk -tN -cN -s post_replay.lua URL -- REQUESTS DONE_FILE HTMX(0|1)

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } folio_timespec;
int clock_gettime(int clock, folio_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("folio_timespec")

local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) / 1e9
end

local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local requests = {}
local sent, answered, lost = 0, 0, 0
local statuses = {}
local latencies = {}
local started, sent_at
local done_file, filler

function init(args)
  local file, htmx = args[1] .. "-" .. id .. ".tsv", args[3] == "1"
  done_file = args[2]
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  if htmx then
    headers["HX-Request"] = "true"
  end
  for line in io.lines(file) do
    local action, cookie, body = line:match("^(.-)\t(.-)\t(.*)$")
    headers["Cookie"] = cookie
    requests[#requests + 1] = wrk.format("POST", action, headers, body)
  end
  filler = wrk.format("GET", "/healthz")
end

local function report()
  local parts = {}
  for code, count in pairs(statuses) do
    parts[#parts + 1] = code .. "=" .. count
  end
  local out = io.open(done_file, "a")
  local finished = now()
  out:write(string.format("%.6f %.6f %s %s\n", started or finished, finished,
    table.concat(parts, ","), table.concat(latencies, ",")))
  out:close()
end

local verified = false

function request()
  if tonumber(id) == 0 and not verified then
    -- wrk calls request() once on the first thread before it starts, to see
    -- how many requests it returns; that call must not use up a post.
    verified = true
    return filler
  end
  if sent <= #requests and sent > answered + lost then
    -- Asked again before the last post was answered: wrk lost its connection
    -- (a read or write error) and opened a new one. That post is an error.
    lost = lost + 1
    statuses["lost"] = (statuses["lost"] or 0) + 1
    if answered + lost == #requests then
      report()
    end
  end
  if sent >= #requests then
    -- This thread is done; until the others are and Python stops wrk, it
    -- keeps its connection busy with the trivial route. Stopping the thread
    -- instead would leave wrk's next connection open and idle, and a sync
    -- worker that accepted it would wait on it rather than serve the others.
    sent = #requests + 1 -- from now on every answer is a filler's
    return filler
  end
  sent = sent + 1
  sent_at = now()
  if started == nil then
    started = sent_at
  end
  return requests[sent]
end

function response(status, headers, body)
  if sent > #requests or answered + lost >= #requests then
    return -- a filler's answer
  end
  -- One connection per thread: this answers the request sent last.
  latencies[#latencies + 1] = string.format("%.3f", (now() - sent_at) * 1000)
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  if answered + lost == #requests then
    report()
  end
end
