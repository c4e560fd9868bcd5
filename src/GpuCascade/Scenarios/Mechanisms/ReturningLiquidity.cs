using System.Text.Json;
using GpuCascade.Kernels;
using static GpuCascade.Kernels.OutputAggregations;
using static GpuCascade.Scenarios.ScenarioNumbers;

namespace GpuCascade.Scenarios;

/// <summary>
/// Returning liquidity of an asset (docs/model.md section 8.6): liquidity providers who, each step, trade the traded
/// price's discount to the exogenous price: they aim at the impact <c>kappa gamma_{t-L}</c>, limited by their capital.
/// In YAML, <c>assets[i].returningLiquidity: {kappa, delay, capital}</c>; in code,
/// <c>AssetBuilder.Mechanism(new ReturningLiquiditySpec(0.2))</c>.
/// </summary>
/// <param name="Kappa">The share of the discount they trade away per step, in [0, 1] (0: none).</param>
/// <param name="Delay">Their reaction delay L in steps, in [0, steps) [0].</param>
/// <param name="Capital">The cap K on the value of their inventory at the mid, USD, &gt; 0 [+infinity: none].</param>
public sealed record ReturningLiquiditySpec(double Kappa, int Delay = 0, double Capital = double.PositiveInfinity) : MechanismSpec;

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

    /// <summary>Binds <c>{kappa, delay, capital}</c>: kappa required, delay [0], capital [.inf].</summary>
    public override MechanismSpec? Bind(NodeReader r, ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var kappa = m.Number("kappa", required: true);
        var delay = m.Int("delay", min: 0);
        var capital = m.Number("capital");
        m.Done();
        return kappa is double k ? new ReturningLiquiditySpec(k, delay ?? 0, capital ?? double.PositiveInfinity) : null;
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
    }

    /// <summary>The kappa from which a discount seen <paramref name="delay"/> steps late oscillates ever wider:
    /// 2 cos(L pi / (2L + 1)) (1 for L = 1, 0.618 for L = 2), rounded to 12 decimals so that L = 1 gives exactly 1.</summary>
    internal static double StabilityBound(int delay) => Math.Round(2 * Math.Cos(delay * Math.PI / (2 * delay + 1)), 12);

    protected override void WriteJson(Utf8JsonWriter w, ReturningLiquiditySpec spec)
    {
        ScenarioJson.Number(w, "kappa", spec.Kappa);
        w.WriteNumber("delay", spec.Delay);
        if (!double.IsPositiveInfinity(spec.Capital)) ScenarioJson.Number(w, "capital", spec.Capital);
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
        var specs = packing.Scenario.Assets.Select(a => a.Mechanisms.Get<ReturningLiquiditySpec>()).ToArray();
        if (!specs.Any(s => s is { Kappa: > 0 }))
        {
            layout.ReturningLiquidity = default;
            return;
        }
        layout.ReturningLiquidity = new ReturningLiquidityParams
        {
            On = 1,
            Kappa = packing.Reals(specs.Select(s => s?.Kappa ?? 0)),
            Capital = packing.Reals(specs.Select(s => s?.Capital ?? double.PositiveInfinity)),
            Delay = packing.Ints(specs.Select(s => s?.Delay ?? 0)),
            RingSteps = RingSteps(packing.Scenario),
            Ring = packing.RegionOffset,
        };
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
