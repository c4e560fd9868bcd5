using System.Text.Json;
using GpuCascade.Kernels;
using static GpuCascade.Kernels.OutputAggregations;
using static GpuCascade.Scenarios.ScenarioNumbers;

namespace GpuCascade.Scenarios;

/// <summary>
/// A backstop liquidity provider (docs/model.md section 8.11): a vault that takes the part of a round's liquidation flow
/// that would move a price by more than <paramref name="Slippage"/>, at the mid less <paramref name="Discount"/>, within
/// <paramref name="Capital"/> and <paramref name="LossLimit"/>; it unwinds at <paramref name="UnwindRate"/> and absorbs bad
/// debt after the insurance fund. In YAML, <c>venue.backstop: {slippage: 0.02, discount: 0.05, capital: 5e8}</c>; in
/// code, <c>VenueBuilder.Mechanism(new BackstopSpec(0.02, 0.05, 5e8))</c>. With <paramref name="Takeover"/> q &gt; 0 it is
/// an account backstop instead (<see cref="TakingOver"/>): it takes over every account whose equity has fallen below q
/// times its maintenance requirement, with the margin left, as Hyperliquid's liquidator vault does; slippage and discount
/// are then 0 (in YAML, absent).
/// </summary>
/// <param name="Slippage">s in (0, 1): the largest fall a round's liquidations may make in the book (a rise: s / (1 - s),
/// the same log move).</param>
/// <param name="Discount">d in [0, 1): below the mid it buys at (above, it sells at).</param>
/// <param name="Capital">K &gt; 0: the largest value of its inventory at the mid, USD (+infinity: none).</param>
/// <param name="LossLimit">M &gt; 0: it stops taking flow and bad debt once it has lost this much, USD; it never loses more
/// than its capital either [+infinity: the capital].</param>
/// <param name="UnwindRate">u &gt;= 0 per hour: each step it sells the share 1 - exp(-u dt) of what it holds [0].</param>
/// <param name="Takeover">q in (0, 1]: an account backstop that takes over accounts below q times their requirement
/// [0: the flow backstop].</param>
public sealed record BackstopSpec(double Slippage, double Discount, double Capital, double LossLimit = double.PositiveInfinity,
    double UnwindRate = 0, double Takeover = 0) : MechanismSpec
{
    /// <summary>An account backstop (docs/model.md section 8.11): it takes over, whole, each account whose equity at the
    /// oracle has fallen below <paramref name="takeover"/> times its maintenance requirement, while its inventory in every
    /// market stays within <paramref name="capital"/> and its loss below <paramref name="lossLimit"/>.</summary>
    public static BackstopSpec TakingOver(double takeover, double capital, double lossLimit = double.PositiveInfinity, double unwindRate = 0) =>
        new(0, 0, capital, lossLimit, unwindRate, takeover);
}

/// <summary>
/// The backstop on the host (docs/model.md section 8.11; the path's side is kernels/GpuCascade.Kernels/Mechanisms/Backstop.cs):
/// <c>venue.backstop</c>, its rules, canonical JSON, packing and outputs.
/// </summary>
internal sealed class BackstopModule : MechanismModule<BackstopSpec>
{
    public override string Key => "backstop";

    public override MechanismScope Scope => MechanismScope.Venue;

    /// <summary>Binds <c>{slippage, discount, capital, lossLimit, unwindRate}</c> (the first three required) or, for an
    /// account backstop, <c>{takeover, capital, lossLimit, unwindRate}</c> (the first two required).</summary>
    public override MechanismSpec? Bind(NodeReader r, ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        bool accounts = m.Has("takeover");
        if (accounts && (m.Has("slippage") || m.Has("discount")))
            r.Errors.Add(FieldPath.Key(path, m.Has("slippage") ? "slippage" : "discount"),
                "not with takeover: a backstop either takes the flow the book cannot absorb (slippage, discount) or takes over " +
                "accounts (takeover), not both", m.Node);
        var slippage = accounts ? 0 : m.Number("slippage", required: true);
        var discount = accounts ? 0 : m.Number("discount", required: true);
        var takeover = m.Number("takeover");
        var capital = m.Number("capital", required: true);
        var lossLimit = m.Number("lossLimit");
        var unwind = m.Number("unwindRate");
        if (accounts) { m.Number("slippage"); m.Number("discount"); } // known keys (refused above), not unknown ones
        if (takeover is double q && !(q > 0 && q <= 1)) // 0 would read as the flow backstop: refused here, naming the key
        {
            r.Errors.Add(FieldPath.Key(path, "takeover"), $"must be in (0, 1], got {Format(q)}", m.Node);
            takeover = null;
        }
        m.Done();
        return slippage is double s && discount is double d && capital is double k && (takeover is not null || !accounts)
            ? new BackstopSpec(s, d, k, lossLimit ?? double.PositiveInfinity, unwind ?? 0, takeover ?? 0)
            : null;
    }

    protected override void Validate(Diagnostics d, string path, BackstopSpec spec, Scenario scenario, int assetIndex)
    {
        if (spec.Takeover != 0)
        {
            d.InRange(FieldPath.Key(path, "takeover"), spec.Takeover, 0, 1, lowClosed: false, highClosed: true);
            d.Require(spec.Slippage == 0 && spec.Discount == 0, FieldPath.Key(path, "slippage"),
                "must be 0 with takeover (an account backstop takes no flow off the book), got " +
                $"slippage {Format(spec.Slippage)}, discount {Format(spec.Discount)}");
        }
        else
        {
            d.InRange(FieldPath.Key(path, "slippage"), spec.Slippage, 0, 1, lowClosed: false, highClosed: false);
            d.InRange(FieldPath.Key(path, "discount"), spec.Discount, 0, 1, lowClosed: true, highClosed: false);
        }
        d.Require(spec.Capital > 0, FieldPath.Key(path, "capital"), $"must be > 0 (USD; .inf for no cap), got {Format(spec.Capital)}");
        d.Require(spec.LossLimit > 0, FieldPath.Key(path, "lossLimit"), $"must be > 0 (USD; .inf for none), got {Format(spec.LossLimit)}");
        d.AtLeast(FieldPath.Key(path, "unwindRate"), spec.UnwindRate, 0);
    }

    protected override void WriteJson(Utf8JsonWriter w, BackstopSpec spec)
    {
        if (spec.Takeover != 0) ScenarioJson.Number(w, "takeover", spec.Takeover);
        else
        {
            ScenarioJson.Number(w, "slippage", spec.Slippage);
            ScenarioJson.Number(w, "discount", spec.Discount);
        }
        ScenarioJson.Number(w, "capital", spec.Capital);
        if (!double.IsPositiveInfinity(spec.LossLimit)) ScenarioJson.Number(w, "lossLimit", spec.LossLimit);
        if (spec.UnwindRate != 0) ScenarioJson.Number(w, "unwindRate", spec.UnwindRate);
    }

    /// <summary>Packs each venue's vault (one entry with one venue; several venues: each venue's own, on its markets).</summary>
    public override void Pack(PlanPacking packing, ref PlanLayout layout)
    {
        var scenario = packing.Scenario;
        var specs = VenuesModule.PerVenue<BackstopSpec>(scenario);
        if (specs.All(b => b is null))
        {
            layout.Backstop = default;
            return;
        }
        layout.Backstop = new BackstopParams
        {
            On = 1,
            AnyTakeover = specs.Any(b => b is { Takeover: > 0 }) ? 1 : 0,
            VenueOn = packing.Ints(specs.Select(b => b is null ? 0 : 1)),
            LogSlippage = packing.Reals(specs.Select(b => b is null ? 0 : -Math.Log(1 - b.Slippage))),
            Discount = packing.Reals(specs.Select(b => b?.Discount ?? 0)),
            Capital = packing.Reals(specs.Select(b => b?.Capital ?? 0)),
            LossLimit = packing.Reals(specs.Select(b => b is null ? 0 : Math.Min(b.LossLimit, b.Capital))), // its capital is what it can lose
            UnwindShare = packing.Reals(specs.Select(b => b is null ? 0 : 1 - Math.Exp(-b.UnwindRate * packing.Dt * 8760.0))),
            Takeover = packing.Reals(specs.Select(b => b?.Takeover ?? 0)),
        };
    }

    public override IReadOnlyList<OutputRow> Outputs { get; } =
    [
        new("backstop.pnl", "backstopPnl", OutputShape.PerPath, BackstopOutput.Pnl, OutputStorage.Real, "USD", Mean | Positive | Target,
            "backstop's P&L (bad debt absorbed included)")
        {
            Mechanism = "backstop", ProbabilityKey = "probabilities.backstopProfit", ProbabilityLabel = "backstop profits (P&L > 0)",
        },
        new("backstop.loss", "backstopLoss", OutputShape.PerPath, BackstopOutput.Loss, OutputStorage.Real, "USD", Mean | Tail | Target,
            "backstop's loss (minus its P&L)") { Mechanism = "backstop" },
        new("backstop.taken", "backstopTaken", OutputShape.PerPath, BackstopOutput.Taken, OutputStorage.Real, "USD", Mean | Target,
            "notional the backstop took") { Mechanism = "backstop" },
        new("backstop.absorbed", "backstopAbsorbed", OutputShape.PerPath, BackstopOutput.Absorbed, OutputStorage.Real, "USD", Mean,
            "bad debt the backstop absorbed") { Mechanism = "backstop" },
        new("backstop.inventory", "backstopInventory", OutputShape.PerPath, BackstopOutput.Inventory, OutputStorage.Real, "USD", Mean,
            "backstop's inventory at the final mids") { Mechanism = "backstop" },
        new("backstop.exhausted", "backstopExhausted", OutputShape.PerPath, BackstopOutput.Exhausted, OutputStorage.Flag, "flag",
            Positive | Target, "backstop's capital or loss limit bound")
        {
            Mechanism = "backstop", ProbabilityKey = "probabilities.backstopExhausted", ProbabilityLabel = "backstop exhausted",
        },
        new("backstop.takeovers", "backstopTakeovers", OutputShape.PerPath, BackstopOutput.Takeovers, OutputStorage.Real, "cohorts",
            Mean | Positive | Target, "cohorts the account backstop took over")
        {
            Mechanism = "backstop", ProbabilityKey = "probabilities.backstopTookOver", ProbabilityLabel = "backstop took an account over",
        },
    ];
}
