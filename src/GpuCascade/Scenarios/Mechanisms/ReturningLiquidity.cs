using System.Text.Json;
using GpuCascade.Kernels;
using static GpuCascade.Kernels.OutputAggregations;
using static GpuCascade.Scenarios.ScenarioNumbers;

namespace GpuCascade.Scenarios;

/// <summary>
/// Returning liquidity of an asset (docs/model.md section 8.6): liquidity providers who, each step, trade the traded
/// price's discount to the exogenous price: they aim at the impact <c>kappa gamma_{t-L}</c>, limited by their capital.
/// In YAML, <c>assets[i].returningLiquidity: {kappa, delay, capital, volatilityReference, volatilityExponent}</c>; in code,
/// <c>AssetBuilder.Mechanism(new ReturningLiquiditySpec(0.2))</c>.
/// </summary>
/// <param name="Kappa">The share of the discount they trade away per step, in [0, 1] (0: none).</param>
/// <param name="Delay">Their reaction delay L in steps, in [0, steps) [0].</param>
/// <param name="Capital">The cap K on the value of their inventory at the mid, USD, &gt; 0 [+infinity: none].</param>
/// <param name="VolatilityExponent">xi &gt;= 0 [0]: their willingness (sw^2 / max(v, sw^2))^(xi/2) falls with the traded
/// price's realised variance v above sw^2 (0: always willing).</param>
/// <param name="VolatilityReference">sw &gt; 0; null: the asset's <c>liquidity.referenceVolatility</c>, else its long-run
/// volatility.</param>
public sealed record ReturningLiquiditySpec(double Kappa, int Delay = 0, double Capital = double.PositiveInfinity,
    double VolatilityExponent = 0, double? VolatilityReference = null) : MechanismSpec;

/// <summary>
/// Returning liquidity on the host (docs/model.md section 8.6; the path's side is
/// kernels/GpuCascade.Kernels/Mechanisms/ReturningLiquidity.cs): the asset's <c>returningLiquidity</c> subtree, its rules,
/// its canonical JSON, its packing into <see cref="ReturningLiquidityParams"/> (with the ring of delayed discounts in the
/// path's mechanism region) and its outputs.
/// </summary>
internal sealed class ReturningLiquidityModule : MechanismModule<ReturningLiquiditySpec>
{
    public override string Key => "returningLiquidity";

    public override MechanismScope Scope => MechanismScope.Asset;

    /// <summary>Binds <c>{kappa, delay, capital, volatilityReference, volatilityExponent}</c>: kappa required, delay [0],
    /// capital [.inf], volatilityExponent [0].</summary>
    public override MechanismSpec? Bind(NodeReader r, ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var kappa = m.Number("kappa", required: true);
        var delay = m.Int("delay", min: 0);
        var capital = m.Number("capital");
        var reference = m.Number("volatilityReference");
        var exponent = m.Number("volatilityExponent");
        m.Done();
        return kappa is double k ? new ReturningLiquiditySpec(k, delay ?? 0, capital ?? double.PositiveInfinity, exponent ?? 0, reference) : null;
    }

    protected override void Validate(Diagnostics d, string path, ReturningLiquiditySpec spec, Scenario scenario, int assetIndex)
    {
        string kappaPath = FieldPath.Key(path, "kappa");
        bool kappaOk = d.InRange(kappaPath, spec.Kappa, 0, 1, lowClosed: true, highClosed: true);
        bool delayOk = d.IntegerIn(FieldPath.Key(path, "delay"), spec.Delay, 0, Math.Max(0, scenario.Steps - 1));
        if (kappaOk && delayOk && spec.Delay >= 1)
        {
            double bound = StabilityBound(spec.Delay);
            d.Require(spec.Kappa < bound, kappaPath,
                $"must be < {Format(Math.Round(bound, 6))} with delay {spec.Delay} (2 cos(L pi / (2L + 1)): from there the discount " +
                $"oscillates ever wider, docs/model.md section 8.6), got {Format(spec.Kappa)}");
        }
        d.Require(spec.Capital > 0, FieldPath.Key(path, "capital"),
            $"must be > 0 (USD of inventory value; .inf for no cap), got {Format(spec.Capital)}");
        d.AtLeast(FieldPath.Key(path, "volatilityExponent"), spec.VolatilityExponent, 0);
        string referencePath = FieldPath.Key(path, "volatilityReference");
        if (spec.VolatilityReference is double sw) d.Above(referencePath, sw, 0);
        else if (spec.VolatilityExponent > 0 && assetIndex >= 0 && assetIndex < scenario.Assets.Length)
            d.Require(DefaultReference(scenario.Assets[assetIndex]) > 0, referencePath,
                "required when volatilityExponent > 0 and the asset has neither liquidity.referenceVolatility nor a long-run volatility");
    }

    /// <summary>The willingness's reference volatility when none is given: the asset's <c>liquidity.referenceVolatility</c>,
    /// else its long-run volatility.</summary>
    private static double DefaultReference(AssetSpec asset) => asset.Liquidity?.ReferenceVolatility ?? asset.LongRunVolatility;

    /// <summary>The kappa from which a discount seen <paramref name="delay"/> steps late oscillates ever wider:
    /// 2 cos(L pi / (2L + 1)) (1 for L = 1, 0.618 for L = 2), rounded to 12 decimals so that L = 1 gives exactly 1.</summary>
    internal static double StabilityBound(int delay) => Math.Round(2 * Math.Cos(delay * Math.PI / (2 * delay + 1)), 12);

    protected override void WriteJson(Utf8JsonWriter w, ReturningLiquiditySpec spec)
    {
        ScenarioJson.Number(w, "kappa", spec.Kappa);
        w.WriteNumber("delay", spec.Delay);
        if (!double.IsPositiveInfinity(spec.Capital)) ScenarioJson.Number(w, "capital", spec.Capital);
        if (spec.VolatilityExponent != 0) ScenarioJson.Number(w, "volatilityExponent", spec.VolatilityExponent);
        if (spec.VolatilityReference is double sw) ScenarioJson.Number(w, "volatilityReference", sw);
    }

    /// <summary>The ring's steps: the largest delay of an asset with LPs (0 when none has one).</summary>
    private static int RingSteps(Scenario scenario) =>
        scenario.Assets.IsDefaultOrEmpty ? 0
            : scenario.Assets.Select(a => a?.Mechanisms?.Get<ReturningLiquiditySpec>() is { Kappa: > 0 } s ? Math.Clamp(s.Delay, 0, 1 << 20) : 0)
                .DefaultIfEmpty(0).Max();

    /// <summary>The ring of discounts: the largest delay times the assets.</summary>
    public override int RegionSlots(Scenario scenario) =>
        RingSteps(scenario) is int steps and > 0 ? (int)Math.Min(int.MaxValue, (long)steps * scenario.Assets.Length) : 0;

    public override void Pack(PlanPacking packing, ref PlanLayout layout)
    {
        var assets = packing.Scenario.Assets;
        var specs = assets.Select(a => a.Mechanisms.Get<ReturningLiquiditySpec>()).ToArray();
        if (!specs.Any(s => s is { Kappa: > 0 }))
        {
            layout.ReturningLiquidity = default;
            return;
        }
        layout.ReturningLiquidity = new ReturningLiquidityParams
        {
            On = 1,
            Kappa = packing.Reals(specs.Select(s => s?.Kappa ?? 0)),
            // Several venues (docs/model.md section 9): each market's LPs hold its venue's share of the capital and trade
            // that share of the flow the asset's whole depth would take (1 and the flow itself with one venue).
            Capital = packing.Reals(specs.Select((s, i) => (s?.Capital ?? double.PositiveInfinity) * VenuesModule.ParticipantShare(packing.Scenario, i))),
            FlowShare = packing.Reals(specs.Select(_ => 1.0 / VenuesModule.VisibleDepthSum(packing.Scenario))),
            Delay = packing.Ints(specs.Select(s => s?.Delay ?? 0)),
            HalfExponent = packing.Reals(specs.Select(s => s is { Kappa: > 0 } ? s.VolatilityExponent / 2 : 0)),
            ReferenceVariance = packing.Reals(specs.Select((s, i) => s?.VolatilityReference ?? DefaultReference(assets[i])).Select(v => v * v)),
            RingSteps = RingSteps(packing.Scenario),
            Ring = packing.RegionOffset,
        };
        // The willingness reads the traded mid's realised variance, which depth under stress then tracks for every asset.
        if (specs.Any(s => s is { Kappa: > 0, VolatilityExponent: > 0 })) layout.Liquidity.TrackVariance = 1;
    }

    public override IReadOnlyList<OutputRow> Outputs { get; } =
    [
        new("returningLiquidity.pnl", "lpPnl", OutputShape.PerPath, ReturningLiquidityOutput.Pnl, OutputStorage.Real, "USD",
            Mean | Positive | Target, "LPs' P&L (inventory at the final mids plus cash)")
        {
            Mechanism = "returningLiquidity", ProbabilityKey = "probabilities.lpProfit", ProbabilityLabel = "LPs profit (P&L > 0)",
        },
        new("returningLiquidity.loss", "lpLoss", OutputShape.PerPath, ReturningLiquidityOutput.Loss, OutputStorage.Real, "USD",
            Mean | Tail | Target, "LPs' loss (minus their P&L)") { Mechanism = "returningLiquidity" },
        new("returningLiquidity.inventory", "lpInventory", OutputShape.PerPath, ReturningLiquidityOutput.Inventory, OutputStorage.Real, "USD",
            Mean, "LPs' inventory at the final mids") { Mechanism = "returningLiquidity" },
        new("returningLiquidity.capitalExhausted", "lpCapitalExhausted", OutputShape.PerPath, ReturningLiquidityOutput.CapitalExhausted,
            OutputStorage.Flag, "flag", Positive | Target, "the LPs' capital bound")
        {
            Mechanism = "returningLiquidity", ProbabilityKey = "probabilities.lpCapitalExhausted", ProbabilityLabel = "LPs' capital exhausted",
        },
        new("returningLiquidity.tradeSteps", "lpTradeSteps", OutputShape.PerPath, ReturningLiquidityOutput.TradeSteps, OutputStorage.Real, "steps",
            Mean, "steps in which the LPs traded") { Mechanism = "returningLiquidity" },
    ];
}
