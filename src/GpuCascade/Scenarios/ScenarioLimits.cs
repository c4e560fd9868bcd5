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
}
