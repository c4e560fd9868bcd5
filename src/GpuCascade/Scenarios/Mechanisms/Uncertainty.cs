using System.Text.Json;
using GpuCascade.Kernels;

namespace GpuCascade.Scenarios;

/// <summary>
/// Uncertain inputs (docs/model.md section 8.4): per path, lognormal multipliers with median 1 and these log-standard deviations,
/// drawn from their own random slot of step 0: of every asset's depth and daily volume (<see cref="Depth"/>), of every
/// asset's starting and long-run volatility (<see cref="Volatility"/>: GARCH's omega, dynamic margins and square-root
/// impact follow; not jumps, Student-t or stress shocks), and of every cohort's positions, collateral and accounts alike
/// (<see cref="Book"/>: leverage and tier brackets unchanged). 0 draws nothing.
/// </summary>
public sealed record UncertaintySpec(double Depth = 0, double Volatility = 0, double Book = 0)
{
    /// <summary>Everything known exactly.</summary>
    public static readonly UncertaintySpec None = new();

    /// <summary>Whether any multiplier is drawn.</summary>
    public bool Any => Depth != 0 || Volatility != 0 || Book != 0;
}

/// <summary>
/// Uncertain inputs on the host (docs/model.md section 8.4; the path's side is
/// kernels/GpuCascade.Kernels/Mechanisms/Uncertainty.cs): the binding of the top-level <c>uncertainty:</c> subtree, its
/// validation rules, its canonical JSON (which the normalised YAML lays out), and its packing into
/// <see cref="UncertaintyParams"/>.
/// </summary>
internal static class UncertaintyModule
{
    /// <summary>The scenario's key of the subtree (and the path of its fields).</summary>
    public const string Name = "uncertainty";

    /// <summary>Binds <c>uncertainty: {depth, volatility, book}</c>, every key optional; null when it is no mapping.</summary>
    public static UncertaintySpec? Bind(NodeReader r, ScenarioNode node, string path)
    {
        if (r.Map(node, path) is not { } m) return null;
        var depth = m.Number("depth");
        var volatility = m.Number("volatility");
        var book = m.Number("book");
        m.Done();
        return new UncertaintySpec(depth ?? 0, volatility ?? 0, book ?? 0);
    }

    /// <summary>Each dispersion in [0, <see cref="ScenarioLimits.MaxDispersion"/>].</summary>
    public static void Validate(Diagnostics d, UncertaintySpec? u)
    {
        if (u is null) return;
        d.InRange("uncertainty.depth", u.Depth, 0, ScenarioLimits.MaxDispersion, lowClosed: true, highClosed: true);
        d.InRange("uncertainty.volatility", u.Volatility, 0, ScenarioLimits.MaxDispersion, lowClosed: true, highClosed: true);
        d.InRange("uncertainty.book", u.Book, 0, ScenarioLimits.MaxDispersion, lowClosed: true, highClosed: true);
    }

    /// <summary>The <c>uncertainty</c> object, only when some input is uncertain.</summary>
    public static void WriteJson(Utf8JsonWriter w, UncertaintySpec u)
    {
        if (!u.Any) return;
        w.WriteStartObject(Name);
        ScenarioJson.Number(w, "depth", u.Depth);
        ScenarioJson.Number(w, "volatility", u.Volatility);
        ScenarioJson.Number(w, "book", u.Book);
        w.WriteEndObject();
    }

    /// <summary>The kernel's parameters.</summary>
    public static UncertaintyParams Pack(UncertaintySpec u) => new()
    {
        On = u.Any ? 1 : 0,
        DepthDispersion = u.Depth,
        VolatilityDispersion = u.Volatility,
        BookDispersion = u.Book,
    };
}
