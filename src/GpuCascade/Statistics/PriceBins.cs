namespace GpuCascade.Statistics;

/// <summary>
/// The fixed bins of a price relative to the start (docs/model.md section 8.5): <see cref="Interior"/> bins evenly spaced in
/// u = asinh(ln(v) / <see cref="Scale"/>) between v = 1e-4 and v = 1e4, plus one bin below and one above. Fine where
/// prices spend most of their time and coarse in the far tails: a bin is 0.06% of the price at the start, 0.13% at a
/// 10% move, 0.6% at a 40% fall and 1.2% at a 63% fall (its width in ln v is about <see cref="Scale"/> cosh(u) du).
/// v = 1 is an edge, so the start has a bin of its own. Edges are computed once, and a value is placed by comparisons
/// only, so the same value lands in the same bin on every machine and in every order.
/// </summary>
internal static class PriceBins
{
    /// <summary>Interior bins.</summary>
    public const int Interior = 1024;
    /// <summary>Bins of a histogram: the interior ones, one below 1e-4 and one at or above 1e4.</summary>
    public const int Count = Interior + 2;
    /// <summary>The log-price scale of the asinh map (5%).</summary>
    public const double Scale = 0.05;
    /// <summary>Lowest and highest interior edge.</summary>
    public const double Lowest = 1e-4, Highest = 1e4;

    /// <summary>Interior + 1 strictly increasing edges; edge Interior / 2 is exactly 1.</summary>
    public static readonly double[] Edges = BuildEdges();

    private static double[] BuildEdges()
    {
        double top = Math.Asinh(Math.Log(Highest) / Scale);
        var edges = new double[Interior + 1];
        for (int j = 0; j <= Interior; j++)
        {
            int k = j - Interior / 2; // symmetric in u, so edge Interior / 2 is exp(0) = 1
            edges[j] = Math.Exp(Scale * Math.Sinh(top * k / (Interior / 2)));
        }
        return edges;
    }

    /// <summary>The bin of <paramref name="value"/>: 0 below the first edge, j + 1 in [Edges[j], Edges[j + 1]), the last at or
    /// above the last edge (NaN goes to bin 0).</summary>
    /// <remarks>A table indexed by the value's exponent and top <see cref="GuideBits"/> mantissa bits gives the bin of the
    /// cell's lowest value; since a cell (2^-12 of a price, 0.024%) is narrower than any bin, one or two comparisons with the
    /// edges finish it. The result is the same as a binary search over <see cref="Edges"/> (tested).</remarks>
    public static int Of(double value)
    {
        if (!(value >= Edges[0])) return 0;
        if (value >= Edges[Interior]) return Count - 1;
        long cell = (BitConverter.DoubleToInt64Bits(value) >> (52 - GuideBits)) - GuideBase;
        int bin = Guide[cell];
        while (bin <= Interior && Edges[bin] <= value) bin++;
        return bin;
    }

    /// <summary>Mantissa bits of a guide cell.</summary>
    private const int GuideBits = 12;
    private static readonly long GuideBase = BitConverter.DoubleToInt64Bits(Lowest) >> (52 - GuideBits);
    /// <summary>Per guide cell, the bin of its lowest value.</summary>
    private static readonly int[] Guide = BuildGuide();

    private static int[] BuildGuide()
    {
        long first = BitConverter.DoubleToInt64Bits(Lowest) >> (52 - GuideBits), last = BitConverter.DoubleToInt64Bits(Highest) >> (52 - GuideBits);
        var guide = new int[last - first + 1];
        for (long c = first; c <= last; c++)
        {
            double lowest = Math.Max(Lowest, BitConverter.Int64BitsToDouble(c << (52 - GuideBits)));
            guide[c - first] = Search(lowest);
        }
        return guide;
    }

    /// <summary>The bin of <paramref name="value"/> by binary search over the edges (the reference for <see cref="Of"/>).</summary>
    internal static int Search(double value)
    {
        var edges = Edges;
        int lo = 0, hi = edges.Length; // the number of edges <= value
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (edges[mid] <= value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>The relative width (upper / lower edge - 1) of the bin holding <paramref name="value"/>; infinite outside the
    /// interior.</summary>
    public static double RelativeWidth(double value)
    {
        int bin = Of(value);
        return bin == 0 || bin == Count - 1 ? double.PositiveInfinity : Edges[bin] / Edges[bin - 1] - 1.0;
    }
}
