namespace GpuCascade.Statistics;

/// <summary>
/// Count, mean and sum of squared deviations (Welford), mergeable with Chan's formula. Merging in a fixed order
/// gives bit-identical results, which is how the engine stays independent of threads and batch sizes.
/// </summary>
public struct Moments
{
    /// <summary>Observations.</summary>
    public long Count;
    /// <summary>Sample mean.</summary>
    public double Mean;
    /// <summary>Sum of squared deviations from the mean.</summary>
    public double SumSquaredDeviations;

    /// <summary>Adds one observation.</summary>
    public void Add(double x)
    {
        Count++;
        double delta = x - Mean;
        Mean += delta / Count;
        SumSquaredDeviations += delta * (x - Mean);
    }

    /// <summary>Adds the observations summarised by <paramref name="other"/> (which follow this one's).</summary>
    public void Merge(in Moments other)
    {
        if (other.Count == 0) return;
        if (Count == 0)
        {
            this = other;
            return;
        }
        long n = Count + other.Count;
        double delta = other.Mean - Mean;
        Mean += delta * other.Count / n;
        SumSquaredDeviations += other.SumSquaredDeviations + delta * delta * ((double)Count * other.Count / n);
        Count = n;
    }

    /// <summary>Unbiased sample variance (0 for fewer than two observations).</summary>
    public readonly double Variance => Count > 1 ? SumSquaredDeviations / (Count - 1) : 0.0;

    /// <summary>Standard error of the mean, sqrt(variance / n).</summary>
    public readonly double StandardError => Count > 1 ? Math.Sqrt(Variance / Count) : 0.0;
}
