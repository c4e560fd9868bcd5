namespace GpuCascade.Statistics;

/// <summary>A probability estimate with a confidence interval.</summary>
/// <param name="Estimate">Successes / trials.</param>
/// <param name="Lower">Lower end of the interval.</param>
/// <param name="Upper">Upper end of the interval.</param>
public readonly record struct ProbabilityEstimate(double Estimate, double Lower, double Upper);

/// <summary>Successes out of trials, with Wilson and Clopper-Pearson intervals.</summary>
public struct Proportion
{
    /// <summary>z of a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>Number of successes.</summary>
    public long Successes;
    /// <summary>Number of trials.</summary>
    public long Trials;

    /// <summary>Records one trial.</summary>
    public void Add(bool success)
    {
        Trials++;
        if (success) Successes++;
    }

    /// <summary>Adds another count.</summary>
    public void Merge(in Proportion other)
    {
        Successes += other.Successes;
        Trials += other.Trials;
    }

    /// <summary>Point estimate and Wilson score interval at the given z [95%].</summary>
    public readonly ProbabilityEstimate Wilson(double z = Z95) => WilsonInterval(Successes, Trials, z);

    /// <summary>
    /// Wilson score interval: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n). Good coverage even at
    /// p = 0 or 1, where the normal interval collapses; NaN for zero trials.
    /// </summary>
    public static ProbabilityEstimate WilsonInterval(long successes, long trials, double z = Z95)
    {
        if (trials <= 0) return new ProbabilityEstimate(double.NaN, double.NaN, double.NaN);
        double n = trials, p = successes / n, z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
        double lower = successes == 0 ? 0.0 : Math.Max(0.0, centre - half);
        double upper = successes == trials ? 1.0 : Math.Min(1.0, centre + half);
        return new ProbabilityEstimate(p, lower, upper);
    }

    /// <summary>Exact (Clopper-Pearson) interval from Beta quantiles; conservative.</summary>
    public static ProbabilityEstimate ClopperPearsonInterval(long successes, long trials, double confidence = 0.95)
    {
        if (trials <= 0) return new ProbabilityEstimate(double.NaN, double.NaN, double.NaN);
        double a = (1 - confidence) / 2;
        double lower = successes == 0 ? 0.0
            : MathNet.Numerics.Distributions.Beta.InvCDF(successes, trials - successes + 1, a);
        double upper = successes == trials ? 1.0
            : MathNet.Numerics.Distributions.Beta.InvCDF(successes + 1, trials - successes, 1 - a);
        return new ProbabilityEstimate((double)successes / trials, lower, upper);
    }
}
