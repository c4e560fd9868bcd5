using System.Collections.Immutable;

namespace GpuCascade.Prices;

/// <summary>
/// The assets' log returns over one step on the intervals that every asset has (docs/model.md section 2, "Historical
/// shocks"): interval k is [k I, (k + 1) I) from the Unix epoch, I the step, and its return joins the last close in it to
/// the last close in the interval before (none across a gap). The rows are the intervals that every asset has, in time
/// order, within the window [from, to) of their start times.
/// </summary>
internal sealed class HistoricalReturns
{
    private HistoricalReturns(ImmutableArray<DateTimeOffset> times, double[] values, int assets, TimeSpan interval)
    {
        Times = times;
        Values = values;
        Assets = assets;
        Interval = interval;
    }

    /// <summary>Each row's interval start, oldest first.</summary>
    public ImmutableArray<DateTimeOffset> Times { get; }

    /// <summary>Rows x assets log returns as they were, row-major.</summary>
    public double[] Values { get; }

    /// <summary>Assets per row.</summary>
    public int Assets { get; }

    /// <summary>The step.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Rows.</summary>
    public int Rows => Times.Length;

    /// <summary>The rows of <paramref name="prices"/> (one per asset) at <paramref name="interval"/> within [from, to).</summary>
    /// <exception cref="PriceFileException">A file's rows are further apart than the interval.</exception>
    public static HistoricalReturns Align(IReadOnlyList<PriceSeries> prices, TimeSpan interval, DateTimeOffset? from, DateTimeOffset? to)
    {
        var grids = prices.Select(p => ReturnSeries.On(p, interval, demean: false)).ToArray();
        long ms = (long)interval.TotalMilliseconds;
        long first = from is { } f ? (long)Math.Ceiling(f.ToUnixTimeMilliseconds() / (double)ms) : long.MinValue;
        long last = to is { } t ? (long)Math.Ceiling(t.ToUnixTimeMilliseconds() / (double)ms) : long.MaxValue; // exclusive
        var buckets = grids.Length == 0 ? [] : grids[0].Buckets.Where(b => b >= first && b < last && grids.All(g => g.Index.ContainsKey(b))).ToArray();
        var values = new double[buckets.Length * grids.Length];
        for (int row = 0; row < buckets.Length; row++)
            for (int i = 0; i < grids.Length; i++)
                values[row * grids.Length + i] = grids[i].Returns[grids[i].Index[buckets[row]]];
        return new HistoricalReturns([.. buckets.Select(b => DateTimeOffset.FromUnixTimeMilliseconds(b * ms))], values, grids.Length, interval);
    }

    /// <summary>The returns less each asset's mean over the rows.</summary>
    public double[] Demeaned()
    {
        var result = (double[])Values.Clone();
        for (int i = 0; i < Assets; i++)
        {
            double mean = Column(i).Average();
            for (int row = 0; row < Rows; row++) result[row * Assets + i] -= mean;
        }
        return result;
    }

    /// <summary>
    /// Filtered historical simulation's residuals (Barone-Adesi, Giannopoulos and Vosper, 1999): each asset's demeaned
    /// return over its EWMA volatility forecast made before it, <c>s2 &lt;- lambda s2 + (1 - lambda) r^2</c> started at
    /// the sample variance, then scaled to unit sample variance, so that the path's volatility is the scenario's own.
    /// </summary>
    public double[] Standardised(double lambda)
    {
        var demeaned = Demeaned();
        var result = new double[demeaned.Length];
        for (int i = 0; i < Assets; i++)
        {
            double variance = 0;
            for (int row = 0; row < Rows; row++) variance += demeaned[row * Assets + i] * demeaned[row * Assets + i];
            variance /= Math.Max(1, Rows);
            double s2 = variance, sum2 = 0;
            for (int row = 0; row < Rows; row++)
            {
                double r = demeaned[row * Assets + i];
                double z = s2 > 0 ? r / Math.Sqrt(s2) : 0;
                result[row * Assets + i] = z;
                sum2 += z * z;
                s2 = lambda * s2 + (1 - lambda) * r * r;
            }
            double scale = sum2 > 0 ? Math.Sqrt(Rows / sum2) : 0;
            for (int row = 0; row < Rows; row++) result[row * Assets + i] *= scale;
        }
        return result;
    }

    /// <summary>The row whose interval starts at <paramref name="time"/>, or -1.</summary>
    public int RowAt(DateTimeOffset time)
    {
        int row = Times.BinarySearch(time);
        return row >= 0 ? row : -1;
    }

    /// <summary>The first row at or after <paramref name="row"/> + 1 whose interval does not follow the one before it
    /// within <paramref name="count"/> rows from <paramref name="row"/> (a gap), or -1 when those rows are consecutive.</summary>
    public int FirstGap(int row, int count)
    {
        for (int k = row + 1; k < Math.Min(Rows, row + count); k++)
            if (Times[k] - Times[k - 1] != Interval) return k;
        return -1;
    }

    private IEnumerable<double> Column(int i)
    {
        for (int row = 0; row < Rows; row++) yield return Values[row * Assets + i];
    }
}
