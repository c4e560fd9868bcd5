namespace GpuCascade.Scenarios;

/// <summary>
/// The largest values a scenario may hold: beyond them a run could not finish, would overflow an index or would exhaust
/// memory before it started. Files and code are held to the same limits (binder and validator), with one message.
/// </summary>
public static class ScenarioLimits
{
    /// <summary>Steps per path.</summary>
    public const int MaxSteps = 10_000_000;
    /// <summary>Paths: 2^53, the largest count a double holds exactly (statistics count paths in doubles).</summary>
    public const long MaxPaths = 1L << 53;
    /// <summary>Cohorts of a book, listed and generated together.</summary>
    public const int MaxCohorts = 10_000_000;
    /// <summary>Log-standard deviation of the generator's leverage and entry prices: exp(5 x 6.8), the largest normal
    /// Box-Muller draws from 32-bit uniforms, is 6e14, still a price; much more overflows.</summary>
    public const double MaxDispersion = 5;
    /// <summary>The largest log price a double represents: ln(double.MaxValue) = 709.78; a price beyond it is infinite.</summary>
    public const double MaxLogPrice = 709.78;
    /// <summary>The smallest: a price below exp(-745) is 0.</summary>
    public const double MinLogPrice = -745.13;
    /// <summary>The largest variance correction of one step, volatility^2 x dt / 2, in log price: beyond it the
    /// diffusion's drift alone takes every price below exp(-700), to 0, within a step or two.</summary>
    public const double MaxStepVarianceCorrection = 700;

    /// <summary>The largest annualised volatility whose one-step variance correction stays within
    /// <see cref="MaxStepVarianceCorrection"/> for a step of <paramref name="stepYears"/>.</summary>
    public static double MaxVolatility(double stepYears) => Math.Sqrt(2 * MaxStepVarianceCorrection / stepYears);
}
