using System.Text.Json;
using GpuCascade.Kernels;
using static GpuCascade.Kernels.OutputAggregations;

namespace GpuCascade.Scenarios;

/// <summary>
/// Dealer gamma hedging of an asset (docs/model.md section 8.9): option dealers whose hedge calls for
/// <paramref name="Gamma"/> USD of flow per 1% move of the traded price, in the direction of the move when positive (short
/// gamma: they sell into falls and buy into rises), against it when negative (long gamma); below
/// <paramref name="PutStrike"/> times the starting price their protective puts stop it. In YAML,
/// <c>assets[i].dealerGamma: {gamma: 2e7, putStrike: 0.9}</c>; in code,
/// <c>AssetBuilder.Mechanism(new DealerGammaSpec(2e7, 0.9))</c>.
/// </summary>
/// <param name="Gamma">G, USD of hedge flow per 1% move (finite; 0: none).</param>
/// <param name="PutStrike">K in (0, 1], a fraction of the starting price; null: no puts.</param>
public sealed record DealerGammaSpec(double Gamma, double? PutStrike = null) : MechanismSpec;

/// <summary>
/// Dealer gamma hedging on the host (docs/model.md section 8.9; the path's side is
/// kernels/GpuCascade.Kernels/Mechanisms/DealerGamma.cs): an asset's <c>dealerGamma</c> subtree, its rules, canonical
/// JSON, packing and outputs.
/// </summary>
internal sealed class DealerGammaModule : MechanismModule<DealerGammaSpec>
{
    public override string Key => "dealerGamma";

    public override MechanismScope Scope => MechanismScope.Asset;

    /// <summary>Binds <c>{gamma, putStrike}</c>: gamma required.</summary>
    public override MechanismSpec? Bind(NodeReader r, ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var gamma = m.Number("gamma", required: true);
        var strike = m.Number("putStrike");
        m.Done();
        return gamma is double g ? new DealerGammaSpec(g, strike) : null;
    }

    protected override void Validate(Diagnostics d, string path, DealerGammaSpec spec, Scenario scenario, int assetIndex)
    {
        d.Finite(FieldPath.Key(path, "gamma"), spec.Gamma);
        if (spec.PutStrike is double k) d.InRange(FieldPath.Key(path, "putStrike"), k, 0, 1, lowClosed: false, highClosed: true);
    }

    protected override void WriteJson(Utf8JsonWriter w, DealerGammaSpec spec)
    {
        ScenarioJson.Number(w, "gamma", spec.Gamma);
        if (spec.PutStrike is double k) ScenarioJson.Number(w, "putStrike", k);
    }

    public override void Pack(PlanPacking packing, ref PlanLayout layout)
    {
        var specs = packing.Scenario.Assets.Select(a => a.Mechanisms.Get<DealerGammaSpec>()).ToArray();
        if (!specs.Any(s => s is { Gamma: not 0 }))
        {
            layout.DealerGamma = default;
            return;
        }
        layout.DealerGamma = new DealerGammaParams
        {
            On = 1,
            // Several venues (docs/model.md section 9): each market's dealers hold its venue's share of G.
            Gamma = packing.Reals(specs.Select((s, i) => (s?.Gamma ?? 0) * VenuesModule.ParticipantShare(packing.Scenario, i))),
            LogStrike = packing.Reals(specs.Select(s => s?.PutStrike is double k ? Math.Log(k) : double.NegativeInfinity)),
        };
    }

    public override IReadOnlyList<OutputRow> Outputs { get; } =
    [
        new("dealerGamma.hedgeVolume", "dealerHedgeVolume", OutputShape.PerPath, DealerGammaOutput.HedgeVolume, OutputStorage.Real, "USD",
            Mean | Target, "dealers' hedge volume") { Mechanism = "dealerGamma" },
    ];
}
