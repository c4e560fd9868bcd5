namespace GpuCascade.Scenarios;

/// <summary>
/// The largest values a scenario may hold: beyond them a run could not finish, would overflow an index or would exhaust
/// memory before it started. Files and code are held to the same limits (binder and validator), with one message.
/// </summary>
internal static class ScenarioLimits
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
    /// <summary>How many standard deviations of the horizon's diffusion a scenario is allowed before its prices are said
    /// to leave the representable range for certain (<see cref="HorizonLogPrice"/>).</summary>
    public const double CertainSpread = 10;

    /// <summary>The log price an asset's diffusion reaches at the horizon T (years): its centre
    /// ln P + (drift - volatility^2 / 2) T and the half-width <see cref="CertainSpread"/> x volatility x sqrt(T) that
    /// no path's diffusion exceeds (jumps and stress shocks aside).</summary>
    public static (double Centre, double HalfWidth) HorizonLogPrice(double price, double drift, double volatility, double years) =>
        (Math.Log(price) + (drift - volatility * volatility / 2) * years, CertainSpread * volatility * Math.Sqrt(years));
}
