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

    /// <summary>The JSON result without its <c>run</c> key: what must be identical between identical runs.</summary>
    public static string Reproducible(GpuCascade.Reporting.RunResult r)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(GpuCascade.Reporting.ResultJson.Serialize(r))!.AsObject();
        json.Remove("run");
        return json.ToJsonString();
    }

    /// <summary>A cohort that can never be liquidated (leverage 1 long): lets market-only tests satisfy the book rules.</summary>
    public static CohortSpec Inert(int asset, double price) => Isolated(asset, 1.0, 1.0, price);
}
