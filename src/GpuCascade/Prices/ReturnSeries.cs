namespace GpuCascade.Prices;

/// <summary>One asset's log returns on a grid of intervals: bucket k is [k I, (k + 1) I) from the Unix epoch, its price
/// the last close in it; a return joins two consecutive buckets (none across a gap). Demeaned.</summary>
internal sealed class ReturnSeries
{
    public required string Source { get; init; }
    public required long[] Buckets { get; init; }
    public required double[] Returns { get; init; }
    public required Dictionary<long, int> Index { get; init; }
    public required int Gaps { get; init; }
    public required double LastPrice { get; init; }
    public required DateTimeOffset FirstTime { get; init; }
    public required DateTimeOffset LastTime { get; init; }

    /// <summary>The series' last close of each UTC day, oldest first.</summary>
    public static List<(DateTimeOffset Date, double Close)> Daily(PriceSeries s)
    {
        var days = new SortedDictionary<DateTimeOffset, double>();
        for (int k = 0; k < s.Times.Length; k++)
            days[new DateTimeOffset(s.Times[k].UtcDateTime.Date, TimeSpan.Zero)] = s.Closes[k];
        return [.. days.Select(d => (d.Key, d.Value))];
    }

    /// <summary>The returns of <paramref name="s"/> on the grid of <paramref name="interval"/>, demeaned unless
    /// <paramref name="demean"/> is false (the history's replay takes them as they were).</summary>
    public static ReturnSeries On(PriceSeries s, TimeSpan interval, bool demean = true)
    {
        if (s.Spacing > interval)
            throw new PriceFileException($"{s.Source}: its rows are {Intervals.Format(s.Spacing)} apart, coarser than the interval {Intervals.Format(interval)}");
        var last = new SortedDictionary<long, double>();
        for (int k = 0; k < s.Times.Length; k++) last[s.Times[k].ToUnixTimeMilliseconds() / (long)interval.TotalMilliseconds] = s.Closes[k];
        var buckets = new List<long>();
        var returns = new List<double>();
        int gaps = 0;
        long? previous = null;
        double previousClose = 0;
        foreach (var (bucket, close) in last)
        {
            if (previous is long p)
            {
                if (bucket == p + 1)
                {
                    buckets.Add(bucket);
                    returns.Add(Math.Log(close / previousClose));
                }
                else gaps += (int)Math.Min(int.MaxValue, bucket - p - 1);
            }
            previous = bucket;
            previousClose = close;
        }
        double mean = demean && returns.Count > 0 ? returns.Average() : 0;
        var demeaned = returns.Select(r => r - mean).ToArray();
        long ms = (long)interval.TotalMilliseconds;
        return new ReturnSeries
        {
            Source = s.Source,
            Buckets = [.. buckets],
            Returns = demeaned,
            Index = buckets.Select((b, i) => (b, i)).ToDictionary(p => p.b, p => p.i),
            Gaps = gaps,
            LastPrice = s.Closes[^1],
            FirstTime = buckets.Count > 0 ? DateTimeOffset.FromUnixTimeMilliseconds((buckets[0] + 1) * ms) : s.Times[0],
            LastTime = buckets.Count > 0 ? DateTimeOffset.FromUnixTimeMilliseconds((buckets[^1] + 1) * ms) : s.Times[^1],
        };
    }
}

/// <summary>How an interval is written in messages and scenarios: <c>1d</c>, <c>1h</c>, <c>5m</c>, <c>30s</c>.</summary>
internal static class Intervals
{
    public static string Format(TimeSpan t) =>
        t.TotalDays >= 1 && t.TotalDays % 1 == 0 ? $"{t.TotalDays:0}d" : t.TotalHours >= 1 && t.TotalHours % 1 == 0 ? $"{t.TotalHours:0}h"
        : t.TotalMinutes % 1 == 0 ? $"{t.TotalMinutes:0}m" : $"{t.TotalSeconds:0.###}s";
}
