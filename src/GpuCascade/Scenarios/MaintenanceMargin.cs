using System.Collections.Immutable;

namespace GpuCascade.Scenarios;

/// <summary>Maintenance requirements under the venue's margin rules (docs/model.md section 4).</summary>
public static class MaintenanceMargin
{
    /// <summary>
    /// Requirement in USD of a position of total notional <paramref name="notional"/> (USD, at oracle prices)
    /// held by a cohort of <paramref name="accounts"/> identical accounts. Tiers apply per account.
    /// </summary>
    /// <param name="rule">The asset's rule.</param>
    /// <param name="notional">|units| x oracle price, total over the cohort; &gt;= 0.</param>
    /// <param name="accounts">Accounts in the cohort; &gt; 0.</param>
    /// <param name="sigmaNow">Current annualised volatility (dynamic rule only).</param>
    public static double Requirement(MarginRule rule, double notional, double accounts, double sigmaNow) => rule switch
    {
        StaticMargin s => s.Rate * notional,
        TieredMargin t => TieredRequirement(t.Tiers, notional, accounts),
        DynamicMargin d => DynamicRate(d, sigmaNow) * notional,
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown margin rule"),
    };

    /// <summary>
    /// Equity, maintenance requirement and gross position notional of a cohort at the scenario's starting prices
    /// (the dynamic rule at each asset's starting volatility): the initial-margin check of docs/model.md section 4.
    /// </summary>
    public static (double Equity, double Requirement, double GrossNotional) AtStart(Scenario scenario, CohortSpec cohort)
    {
        double equity = cohort.UsdCollateral, requirement = 0, gross = 0;
        foreach (var h in cohort.Collateral)
            equity += scenario.Assets[h.AssetIndex].CollateralWeight * h.Units * scenario.Assets[h.AssetIndex].Price;
        foreach (var p in cohort.Positions)
        {
            var asset = scenario.Assets[p.AssetIndex];
            double notional = Math.Abs(p.Units) * asset.Price;
            equity += p.Units * (asset.Price - p.EntryPrice);
            gross += notional;
            requirement += Requirement(scenario.Venue.MaintenanceMargin[p.AssetIndex], notional, cohort.Accounts, asset.Volatility);
        }
        return (equity, requirement, gross);
    }

    /// <summary>m = max(floor, z sigma sqrt(closeOutHorizon in years)).</summary>
    public static double DynamicRate(DynamicMargin rule, double sigmaNow) =>
        Math.Max(rule.Floor, rule.Z * sigmaNow * Math.Sqrt(rule.CloseOutHorizon.Years));

    /// <summary>Index of the bracket that applies to a notional per account.</summary>
    public static int TierIndex(ImmutableArray<MarginTier> tiers, double notionalPerAccount)
    {
        for (int k = 0; k < tiers.Length - 1; k++)
            if (notionalPerAccount <= tiers[k].Cap) return k;
        return tiers.Length - 1;
    }

    private static double TieredRequirement(ImmutableArray<MarginTier> tiers, double notional, double accounts)
    {
        var tier = tiers[TierIndex(tiers, notional / accounts)];
        return notional * tier.Rate - accounts * tier.Amount;
    }

    /// <summary>
    /// Brackets with the maintenance amounts that make the requirement continuous at every cap,
    /// as exchanges publish them: amount_k = amount_{k-1} + cap_{k-1} (rate_k - rate_{k-1}), amount_0 = 0.
    /// </summary>
    public static ImmutableArray<MarginTier> ContinuousTiers(IReadOnlyList<(double Cap, double Rate)> brackets)
    {
        var result = ImmutableArray.CreateBuilder<MarginTier>(brackets.Count);
        double amount = 0;
        for (int k = 0; k < brackets.Count; k++)
        {
            if (k > 0) amount += brackets[k - 1].Cap * (brackets[k].Rate - brackets[k - 1].Rate);
            result.Add(new MarginTier(brackets[k].Cap, brackets[k].Rate, amount));
        }
        return result.MoveToImmutable();
    }
}
