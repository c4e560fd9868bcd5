using System.Collections.Immutable;
using GpuCascade.Scenarios;
using MathNet.Numerics.Distributions;

namespace GpuCascade.Validation;

/// <summary>
/// The closed forms of docs/model.md section 7 with the scenarios that exercise them, shared by the test suite and
/// <c>gpucascade selftest</c> (which runs them on GPU machines that have no .NET SDK).
/// </summary>
internal static class ClosedForms
{
    /// <summary>Broadie-Glasserman-Kou constant: beta = -zeta(1/2)/sqrt(2 pi).</summary>
    public const double BroadieGlassermanKou = 0.5826;

    /// <summary>
    /// P(min of GBM over [0, T] &lt; B) = Phi((b - nu T)/(sigma sqrt T)) + (B/S0)^(2 nu/sigma^2) Phi((b + nu T)/(sigma sqrt T)),
    /// b = ln(B/S0), nu = mu - sigma^2/2; with <paramref name="monitoringDt"/> &gt; 0 the barrier is shifted to
    /// B exp(-0.5826 sigma sqrt(dt)) for discrete monitoring.
    /// </summary>
    public static double FirstPassageProbability(double s0, double barrier, double drift, double sigma, double years,
        double monitoringDt = 0)
    {
        double b0 = monitoringDt > 0 ? barrier * Math.Exp(-BroadieGlassermanKou * sigma * Math.Sqrt(monitoringDt)) : barrier;
        double b = Math.Log(b0 / s0), nu = drift - sigma * sigma / 2, sd = sigma * Math.Sqrt(years);
        return Normal.CDF(0, 1, (b - nu * years) / sd)
               + Math.Pow(b0 / s0, 2 * nu / (sigma * sigma)) * Normal.CDF(0, 1, (b + nu * years) / sd);
    }

    /// <summary>Liquidation price of an isolated long at leverage L with maintenance m: S0 (1 - 1/L) / (1 - m).</summary>
    public static double LongLiquidationPrice(double s0, double leverage, double maintenance) =>
        s0 * (1 - 1 / leverage) / (1 - maintenance);

    /// <summary>
    /// One isolated long (notional 1e6 at S0 = 100, leverage L, static margin m) on a market so deep that impact
    /// vanishes: its liquidation probability is the first-passage probability below <see cref="LongLiquidationPrice"/>.
    /// </summary>
    public static Scenario FirstPassageScenario(double drift, double sigma = 0.8, double leverage = 5, double maintenance = 0.05,
        int steps = 250, long paths = 20_000, string horizon = "30d") => new()
    {
        Horizon = Duration.Parse(horizon),
        Steps = steps,
        Paths = paths,
        Seed = 1,
        Assets = [new AssetSpec
        {
            Symbol = "BTC", Price = 100, Volatility = sigma, LongRunVolatility = sigma, Drift = drift,
            Impact = new LinearImpact(1e30),
        }],
        Venue = new VenueSpec { MaintenanceMargin = [new StaticMargin(maintenance)], LiquidationPenalty = 0 },
        Book = new BookSpec
        {
            Cohorts = [new CohortSpec { Positions = [new PositionSpec(0, 1e6 / 100, 100)], UsdCollateral = 1e6 / leverage }],
        },
    };

    /// <summary>
    /// A uniform ladder of isolated longs below S0 = 100 (liquidation prices S0 exp(-(j - 1/2) delta), j = 1..levels,
    /// each with USD flow rho delta at its liquidation price, rho = kappa D / 0.01), linear depth D = 1e8, a live
    /// oracle, and an exogenous drop d0 at step 0 of a single step with zero volatility.
    /// </summary>
    public static Scenario LadderScenario(double kappa, double d0 = 0.05, int levels = 600, double delta = 0.0005,
        double maintenance = 0.01)
    {
        const double s0 = 100, depth = 1e8;
        double rho = kappa * depth / 0.01;
        var cohorts = ImmutableArray.CreateBuilder<CohortSpec>(levels);
        for (int j = 1; j <= levels; j++)
        {
            double liquidationPrice = s0 * Math.Exp(-(j - 0.5) * delta);
            double units = rho * delta / liquidationPrice;
            double leverage = 1 / (1 - (1 - maintenance) * liquidationPrice / s0);
            cohorts.Add(new CohortSpec { Positions = [new PositionSpec(0, units, s0)], UsdCollateral = units * s0 / leverage });
        }
        return new Scenario
        {
            Horizon = Duration.Parse("1d"),
            Steps = 1,
            Paths = 1,
            Seed = 1,
            Assets = [new AssetSpec
            {
                Symbol = "BTC", Price = s0, Volatility = 0, LongRunVolatility = 0, Impact = new LinearImpact(depth),
            }],
            Stress = [new StressShock(0, 0, -d0)],
            Venue = new VenueSpec { MaintenanceMargin = [new StaticMargin(maintenance)], LiquidationPenalty = 0, RoundCap = 10_000 },
            Book = new BookSpec { Cohorts = cohorts.MoveToImmutable() },
        };
    }

    /// <summary>
    /// The exact discrete fixed point of the liquidation rounds (docs/model.md sections 3-5) on a single-asset book of isolated
    /// longs with USD collateral, a live oracle and linear impact, after the exogenous log move of the scenario's
    /// stress: the final log move. An independent, direct computation for checking the engine.
    /// </summary>
    public static double LadderFinalLogMove(Scenario ladder)
    {
        var asset = ladder.Assets[0];
        double s0 = asset.Price, depth = ((LinearImpact)asset.Impact).Depth1Pct;
        double m = ((StaticMargin)ladder.Venue.MaintenanceMargin[0]).Rate;
        double logPrice = Math.Log(s0) + ladder.Stress.Sum(s => s.LogReturn);
        var cohorts = ladder.Book.Cohorts;
        var open = Enumerable.Repeat(true, cohorts.Length).ToArray();
        while (true)
        {
            double price = Math.Exp(logPrice), flowUnits = 0;
            for (int j = 0; j < cohorts.Length; j++)
            {
                if (!open[j]) continue;
                var position = cohorts[j].Positions[0];
                double equity = cohorts[j].UsdCollateral + position.Units * (price - position.EntryPrice);
                if (equity < m * position.Units * price)
                {
                    open[j] = false;
                    flowUnits -= position.Units;
                }
            }
            if (flowUnits == 0) return logPrice - Math.Log(s0);
            logPrice += 0.01 * flowUnits * price / depth;
        }
    }
}
