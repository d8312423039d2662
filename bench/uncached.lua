-- wrk script: each request asks for another address (a counter in the query string, which the
-- pages ignore), so no page cache can answer it: the time of a page rendered afresh.
local n = 0
request = function()
  n = n + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "bench_uncached=" .. n)
end
