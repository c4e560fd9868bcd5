using GpuCascade.Scenarios;
using GpuCascade.Validation;

namespace GpuCascade.Tests.Calibration;

/// <summary>Scenarios of the calibration tests.</summary>
internal static class CalibrationScenarios
{
    public const double Price = 100, Volatility = 0.8, Leverage = 3;
    public const int Steps = 168;
    public const string Horizon = "7d";

    /// <summary>One isolated long at leverage 3 on a market with no impact (depth 1e30), GBM with zero drift, no penalty,
    /// no fund: its liquidation probability is the first-passage probability below S0 (1 - 1/L) / (1 - m).</summary>
    public static string SingleLong(long paths = 20_000) => $$"""
        horizon: {{Horizon}}
        steps: {{Steps}}
        paths: {{paths}}
        seed: 11
        assets:
          - {symbol: BTC, price: {{Price}}, volatility: {{Volatility}}, depth1pct: 1e30}
        venue:
          maintenanceMargin: 0.05
          liquidationPenalty: 0
        book:
          cohorts:
            - {name: long3x, asset: BTC, side: long, notional: 1e6, leverage: {{Leverage}}}
        """;

    /// <summary>The first-passage probability of <see cref="SingleLong"/> at maintenance m, with the discrete-monitoring shift.</summary>
    public static double LiquidationProbability(double m)
    {
        double years = Duration.Parse(Horizon).Years;
        return ClosedForms.FirstPassageProbability(Price, ClosedForms.LongLiquidationPrice(Price, Leverage, m), 0, Volatility, years, years / Steps);
    }

    /// <summary>The m at which <see cref="LiquidationProbability"/> equals p (it rises with m).</summary>
    public static double MarginFor(double p)
    {
        double lo = 1e-6, hi = 1 - 1 / Leverage - 1e-6;
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (LiquidationProbability(mid) < p) lo = mid;
            else hi = mid;
        }
        return 0.5 * (lo + hi);
    }
}
