using System.Text.Json;
using GpuCascade.Kernels;
using static GpuCascade.Scenarios.FieldPath;

namespace GpuCascade.Scenarios;

/// <summary>
/// Depth under stress (docs/model.md section 8.1): the effective depth (and daily volume) is the scenario's times
/// g = (sref^2 / max(v, sref^2))^(kappa/2) / (1 + phi A), with v an EWMA (half-life <see cref="StressHalfLife"/>) of the
/// traded mid's realised variance and A the liquidation flow over depth, decaying with <see cref="RecoveryHalfLife"/>.
/// </summary>
/// <param name="VolatilityElasticity">kappa &gt;= 0 [0].</param>
/// <param name="ReferenceVolatility">sref &gt; 0; null: the asset's long-run volatility.</param>
/// <param name="StressHalfLife">Half-life of the realised-variance EWMA [1h].</param>
/// <param name="FlowWithdrawal">phi &gt;= 0 [0].</param>
/// <param name="RecoveryHalfLife">Half-life of the withdrawal pressure [1h].</param>
/// <param name="Replenishment">psi &gt;= 0 [0]: within a step the pressure recovers with the flow itself,
/// dA/da = 1 - psi A (docs/model.md section 8.6); &gt; 0 only with phi &gt; 0.</param>
public sealed record LiquiditySpec(double VolatilityElasticity, double? ReferenceVolatility, Duration StressHalfLife, double FlowWithdrawal,
    Duration RecoveryHalfLife, double Replenishment = 0)
{
    /// <summary>The default half-lives.</summary>
    public static readonly Duration DefaultHalfLife = new("1h", 3600.0 / Duration.SecondsPerYear);
}

/// <summary>Depth under stress in a plan, per asset in asset order: kappa / 2, sref^2, the EWMA's lambda, phi, the
/// pressure's decay, the pressure one USD of flow adds (1 / D linear, 100 / V square root) and psi; 0 for an asset
/// without <c>liquidity:</c>, except lambda, which is the default half-life's (another mechanism may ask for the realised
/// variance: <see cref="LiquidityParams.TrackVariance"/>). <see cref="On"/>: some asset's depth responds to stress.</summary>
internal sealed record LiquidityTables(bool On, double[] HalfElasticity, double[] ReferenceVariance, double[] StressLambda,
    double[] FlowWithdrawal, double[] RecoveryDecay, double[] WithdrawalPerUsd, double[] Replenishment);

/// <summary>
/// Depth under stress on the host (docs/model.md section 8.1; the path's side is
/// kernels/GpuCascade.Kernels/Mechanisms/Liquidity.cs): the binding of an asset's <c>liquidity:</c> subtree, its validation
/// rules, its canonical JSON (which the normalised YAML lays out), and its packing into <see cref="LiquidityParams"/>.
/// </summary>
internal static class LiquidityModule
{
    /// <summary>The asset's key of the subtree.</summary>
    public const string Name = "liquidity";

    /// <summary>Binds <c>liquidity: {volatilityElasticity, referenceVolatility, stressHalfLife, flowWithdrawal,
    /// recoveryHalfLife, replenishment}</c>, every key optional; null when it is no mapping.</summary>
    public static LiquiditySpec? Bind(NodeReader r, ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var kappa = m.Number("volatilityElasticity");
        var reference = m.Number("referenceVolatility");
        var stress = m.Duration("stressHalfLife");
        var phi = m.Number("flowWithdrawal");
        var recovery = m.Duration("recoveryHalfLife");
        var psi = m.Number("replenishment");
        m.Done();
        return new LiquiditySpec(kappa ?? 0, reference, stress ?? LiquiditySpec.DefaultHalfLife, phi ?? 0, recovery ?? LiquiditySpec.DefaultHalfLife,
            psi ?? 0);
    }

    /// <summary>The rules of the asset at <paramref name="assetPath"/> (<c>assets[1]</c>), when it has <c>liquidity:</c>.</summary>
    public static void Validate(Diagnostics d, string assetPath, AssetSpec asset)
    {
        if (asset.Liquidity is not { } liquidity) return;
        string lp = Key(assetPath, Name);
        d.AtLeast(Key(lp, "volatilityElasticity"), liquidity.VolatilityElasticity, 0);
        d.AtLeast(Key(lp, "flowWithdrawal"), liquidity.FlowWithdrawal, 0);
        d.PositiveDuration(Key(lp, "stressHalfLife"), liquidity.StressHalfLife);
        d.PositiveDuration(Key(lp, "recoveryHalfLife"), liquidity.RecoveryHalfLife);
        if (d.AtLeast(Key(lp, "replenishment"), liquidity.Replenishment, 0) && liquidity.Replenishment > 0)
            d.Require(liquidity.FlowWithdrawal > 0, Key(lp, "replenishment"), "needs flowWithdrawal > 0 (it replenishes what the flow withdraws)");
        if (liquidity.ReferenceVolatility is double sref) d.Above(Key(lp, "referenceVolatility"), sref, 0);
        else if (liquidity.VolatilityElasticity > 0)
            d.Require(asset.LongRunVolatility > 0, Key(lp, "referenceVolatility"),
                "required when volatilityElasticity > 0 and the asset's long-run volatility is 0");
    }

    /// <summary>The asset's <c>liquidity</c> object, when it has one (a reference volatility only when given).</summary>
    public static void WriteJson(Utf8JsonWriter w, AssetSpec asset)
    {
        if (asset.Liquidity is not { } liquidity) return;
        w.WriteStartObject(Name);
        ScenarioJson.Number(w, "volatilityElasticity", liquidity.VolatilityElasticity);
        if (liquidity.ReferenceVolatility is double sref) ScenarioJson.Number(w, "referenceVolatility", sref);
        w.WriteString("stressHalfLife", liquidity.StressHalfLife.Text);
        ScenarioJson.Number(w, "flowWithdrawal", liquidity.FlowWithdrawal);
        w.WriteString("recoveryHalfLife", liquidity.RecoveryHalfLife.Text);
        if (liquidity.Replenishment != 0) ScenarioJson.Number(w, "replenishment", liquidity.Replenishment);
        w.WriteEndObject();
    }

    /// <summary>The per-asset tables of a plan with step <paramref name="dt"/> years (validated assets).</summary>
    public static LiquidityTables Tables(IReadOnlyList<AssetSpec> assets, double dt)
    {
        int n = assets.Count;
        bool on = false;
        var halfElasticity = new double[n];
        var referenceVariance = new double[n];
        var stressLambda = new double[n];
        var flowWithdrawal = new double[n];
        var recoveryDecay = new double[n];
        var withdrawalPerUsd = new double[n];
        var replenishment = new double[n];
        double defaultLambda = Math.Exp(-dt * Math.Log(2.0) / LiquiditySpec.DefaultHalfLife.Years);
        for (int i = 0; i < n; i++)
        {
            var a = assets[i];
            stressLambda[i] = defaultLambda;
            if (a.Liquidity is not { } l) continue;
            halfElasticity[i] = l.VolatilityElasticity / 2;
            double reference = l.ReferenceVolatility ?? a.LongRunVolatility;
            referenceVariance[i] = reference * reference;
            stressLambda[i] = Math.Exp(-dt * Math.Log(2.0) / l.StressHalfLife.Years);
            flowWithdrawal[i] = l.FlowWithdrawal;
            recoveryDecay[i] = Math.Exp(-dt * Math.Log(2.0) / l.RecoveryHalfLife.Years);
            withdrawalPerUsd[i] = a.Impact is SquareRootImpact q ? 100.0 / q.DailyVolume : 1.0 / ((LinearImpact)a.Impact).Depth1Pct;
            replenishment[i] = l.Replenishment;
            on |= l.VolatilityElasticity > 0 || l.FlowWithdrawal > 0;
        }
        return new LiquidityTables(on, halfElasticity, referenceVariance, stressLambda, flowWithdrawal, recoveryDecay, withdrawalPerUsd,
            replenishment);
    }

    /// <summary>The kernel's parameters: the tables appended, in this order, by <paramref name="realArray"/> (which
    /// returns where each starts).</summary>
    public static LiquidityParams Pack(LiquidityTables tables, Func<IEnumerable<double>, int> realArray) => new()
    {
        On = tables.On ? 1 : 0,
        HalfElasticity = realArray(tables.HalfElasticity),
        ReferenceVariance = realArray(tables.ReferenceVariance),
        StressLambda = realArray(tables.StressLambda),
        FlowWithdrawal = realArray(tables.FlowWithdrawal),
        RecoveryDecay = realArray(tables.RecoveryDecay),
        WithdrawalPerUsd = realArray(tables.WithdrawalPerUsd),
        Replenishment = realArray(tables.Replenishment),
    };
}
