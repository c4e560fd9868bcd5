using System.Collections.Immutable;
using GpuCascade.Scenarios;

namespace GpuCascade.Tests;

/// <summary>Small scenarios built from the record types directly, for engine tests.</summary>
internal static class TestScenarios
{
    public static AssetSpec Asset(string symbol, double price, double volatility, double depth1pct = 1e30,
        double drift = 0, double permanentImpact = 0.5) => new()
    {
        Symbol = symbol,
        Price = price,
        Volatility = volatility,
        LongRunVolatility = volatility,
        Drift = drift,
        Impact = new LinearImpact(depth1pct),
        PermanentImpact = permanentImpact,
    };

    /// <summary>An isolated long or short with USD collateral notional / leverage, entry at <paramref name="entry"/>.</summary>
    public static CohortSpec Isolated(int asset, double notional, double leverage, double entry, bool isLong = true,
        double accounts = 1) => new()
    {
        Accounts = accounts,
        Positions = [new PositionSpec(asset, (isLong ? 1 : -1) * notional / entry, entry)],
        UsdCollateral = notional / leverage,
    };

    /// <summary>A single-asset scenario with static margin m and the given book.</summary>
    public static Scenario Single(AssetSpec asset, IEnumerable<CohortSpec> cohorts, string horizon = "1d", int steps = 1,
        long paths = 1, double margin = 0.01, double penalty = 0.0, double fund = 0.0) => new()
    {
        Horizon = Duration.Parse(horizon),
        Steps = steps,
        Paths = paths,
        Seed = 1,
        Assets = [asset],
        Venue = new VenueSpec
        {
            MaintenanceMargin = [new StaticMargin(margin)],
            LiquidationPenalty = penalty,
            InsuranceFund = fund,
        },
        Book = new BookSpec { Cohorts = cohorts.ToImmutableArray() },
    };

    /// <summary>
    /// Adversarial books for the screen: cohorts balanced so that price moves leave their margin unchanged (only a
    /// dynamic rule's rise can liquidate them), nearly balanced ones, coin-margined shorts, high dynamic rates, partial
    /// fills (seed 2), stress shocks in every direction.
    /// </summary>
    public static Scenario AdversarialBook(int seed)
    {
        var rng = new Random(seed);
        var d = ScenarioLoader.LoadDefault();
        // SOL: floor 25%, z 3 over 30 days (77% at the start, moving with GARCH volatility far above the floor).
        var venue = d.Venue with
        {
            MaintenanceMargin = [d.Venue.MaintenanceMargin[0], d.Venue.MaintenanceMargin[1], new DynamicMargin(0.25, 3, Duration.Parse("30d"))],
            Liquidation = seed == 2 ? new LiquidationPolicy(0.3, 10) : LiquidationPolicy.Full,
        };
        var assets = d.Assets.SetItem(2, d.Assets[2] with { CollateralWeight = 1.0 });
        var cohorts = new List<CohortSpec>
        {
            // The reviewer's case: short 4 SOL against 5 SOL of collateral: g = -4 - 0.25 x 4 + 5 = 0 exactly.
            new() { Positions = [new PositionSpec(2, -4, 180)], Collateral = [new CollateralHolding(2, 5)] },
        };
        for (int j = 0; j < 60; j++)
        {
            int a = rng.Next(3);
            double price = assets[a].Price, units = (rng.NextDouble() + 0.1) * 1e6 / price;
            bool isShort = rng.Next(2) == 0;
            bool touchesSol = a >= 1; // SOL directly or as the cross leg: its ~77% margin needs leverage near 1
            double leverage = touchesSol ? 1.02 + 0.2 * rng.NextDouble() : 1.5 + 10 * rng.NextDouble();
            cohorts.Add(rng.Next(3) switch
            {
                0 => new CohortSpec // nearly balanced coin-margined short
                {
                    Positions = [new PositionSpec(a, -units, price)],
                    Collateral = [new CollateralHolding(a, units * (1 + 1e-7 * rng.NextDouble()) + units * (a == 2 ? 0.8 : 0.3))],
                },
                1 => new CohortSpec // cross: two assets, either side
                {
                    Positions = [new PositionSpec(a, (isShort ? -1 : 1) * units, price),
                                 new PositionSpec((a + 1) % 3, units * price / assets[(a + 1) % 3].Price, assets[(a + 1) % 3].Price)],
                    UsdCollateral = 2 * units * price / leverage,
                },
                _ => new CohortSpec { Positions = [new PositionSpec(a, (isShort ? -1 : 1) * units, price)], UsdCollateral = units * price / leverage },
            });
        }
        return d with
        {
            Steps = 48, Horizon = Duration.Parse("4h"), Assets = assets, Venue = venue,
            Book = new BookSpec { Cohorts = cohorts.ToImmutableArray() },
            Stress = [new StressShock(2, 2, 0.6), new StressShock(10, 0, -0.1), new StressShock(20, 1, 0.15)],
        };
    }

    /// <summary>The JSON result without its <c>run</c> key: what must be identical between identical runs.</summary>
    public static string Reproducible(GpuCascade.Reporting.RunResult r)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(GpuCascade.Reporting.ResultJson.Serialize(r))!.AsObject();
        json.Remove("run");
        return json.ToJsonString();
    }

    /// <summary>The JSON result without <c>run</c> and <c>manifest</c>: the figures, for two runs of scenarios that differ only
    /// in form (a generated book listed, a larger path count of which a prefix completed).</summary>
    public static string Figures(GpuCascade.Reporting.RunResult r)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(Reproducible(r))!.AsObject();
        json.Remove("manifest");
        return json.ToJsonString();
    }

    /// <summary>The JSON result without <c>run</c> and <c>backend</c>: what must be identical on two bit-identical backends.</summary>
    public static string ReproducibleOnAnyBackend(GpuCascade.Reporting.RunResult r)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(Reproducible(r))!.AsObject();
        json.Remove("backend");
        return json.ToJsonString();
    }

    /// <summary>A cohort that can never be liquidated (leverage 1 long): lets market-only tests satisfy the book rules.</summary>
    public static CohortSpec Inert(int asset, double price) => Isolated(asset, 1.0, 1.0, price);
}
