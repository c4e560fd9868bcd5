namespace GpuCascade.Statistics;

/// <summary>
/// Counts on bins fixed before the run. Bin 0 holds values below <c>Edges[0]</c>, bin k values in
/// [Edges[k-1], Edges[k]), the last bin values at or above the last edge. Counts merge by addition.
/// </summary>
internal sealed class Histogram
{
    /// <summary>A histogram on strictly increasing <paramref name="edges"/>.</summary>
    public Histogram(double[] edges)
    {
        for (int k = 1; k < edges.Length; k++)
            if (!(edges[k] > edges[k - 1])) throw new ArgumentException("edges must increase strictly", nameof(edges));
        Edges = (double[])edges.Clone(); // the caller's array stays the caller's
        Counts = new long[edges.Length + 1];
    }

    /// <summary>Bin edges.</summary>
    public double[] Edges { get; }
    /// <summary>Counts per bin (edges + 1 bins).</summary>
    public long[] Counts { get; }

    /// <summary>Counts one value.</summary>
    public void Add(double x)
    {
        int lo = 0, hi = Edges.Length; // first edge > x
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (Edges[mid] > x) hi = mid; else lo = mid + 1;
        }
        Counts[lo]++;
    }

    /// <summary>Adds another histogram's counts (same edges).</summary>
    public void Merge(Histogram other)
    {
        if (other.Edges.Length != Edges.Length) throw new ArgumentException("different bins", nameof(other));
        for (int k = 0; k < Counts.Length; k++) Counts[k] += other.Counts[k];
    }

    /// <summary>Edges spaced evenly on a log scale: <paramref name="perDecade"/> per decade from 10^lo to 10^hi.</summary>
    public static double[] LogEdges(int lo, int hi, int perDecade)
    {
        int count = (hi - lo) * perDecade + 1;
        var edges = new double[count];
        for (int k = 0; k < count; k++) edges[k] = Math.Pow(10.0, lo + (double)k / perDecade);
        return edges;
    }

    /// <summary>Evenly spaced edges from <paramref name="lo"/> to <paramref name="hi"/> in <paramref name="bins"/> bins.</summary>
    public static double[] LinearEdges(double lo, double hi, int bins)
    {
        var edges = new double[bins + 1];
        for (int k = 0; k <= bins; k++) edges[k] = lo + (hi - lo) * k / bins;
        return edges;
    }
}
