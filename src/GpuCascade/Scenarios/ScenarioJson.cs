using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GpuCascade.Scenarios;

/// <summary>
/// A scenario written back in the file grammar, as JSON: every value explicit (defaults included), the margin rules per
/// asset, listed cohorts in the cross-margin form with their units, entry prices and collateral (exact: loading the text
/// gives an equal scenario), the generator as its parameters. Compact and in a fixed key order, so the same scenario
/// always gives the same text and SHA-256: the identity a result, a checkpoint or a shard is checked against.
/// </summary>
public static class ScenarioJson
{
    /// <summary>The canonical JSON text (compact).</summary>
    public static string Canonical(Scenario scenario) => Text(w => Write(w, scenario), indented: false);

    /// <summary>The scenario as indented JSON (the same content as <see cref="Canonical"/>).</summary>
    public static string Indented(Scenario scenario) => Text(w => Write(w, scenario), indented: true);

    /// <summary>
    /// The scenario as a person would write it, for changes by key path (<see cref="Scenario.With(string, double)"/>):
    /// the canonical content, except that values the grammar derives are left to derive, so that a change moves them
    /// as it would in a file: linear impact as the <c>depth1pct</c> shorthand, no <c>longRunVolatility</c> equal to the
    /// volatility, no tier amounts equal to the continuous ones. Loading it gives an equal scenario.
    /// </summary>
    internal static string Editable(Scenario scenario) => Text(w => Write(w, scenario, editable: true), indented: true);

    /// <summary>SHA-256 of the canonical text, as lower-case hex.</summary>
    public static string Sha256(Scenario scenario) => Hash(Canonical(scenario));

    /// <summary>SHA-256 of the canonical JSON of a list of cohorts (a generated book), as lower-case hex.</summary>
    public static string BookSha256(Scenario scenario, IReadOnlyList<CohortSpec> cohorts) =>
        Hash(Text(w =>
        {
            w.WriteStartArray();
            foreach (var c in cohorts) Cohort(w, scenario, c);
            w.WriteEndArray();
        }, indented: false));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Text(Action<Utf8JsonWriter> write, bool indented)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented })) write(w);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the scenario as a JSON object.</summary>
    public static void Write(Utf8JsonWriter w, Scenario s) => Write(w, s, editable: false);

    private static void Write(Utf8JsonWriter w, Scenario s, bool editable)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(s);
        var written = s;
        if (s.Venues is not null) s = VenuesModule.Template(s, 0); // the assets, correlation and stress as written
        w.WriteStartObject();
        w.WriteString("horizon", s.Horizon.Text);
        w.WriteNumber("steps", s.Steps);
        w.WriteNumber("paths", s.Paths);
        w.WriteNumber("seed", s.Seed);
        w.WriteString("precision", s.Precision == Precision.Single ? "single" : "double");
        Number(w, "cascadeThreshold", s.CascadeThreshold);
        if (s.RunawayBound != Scenario.DefaultRunawayBound) Number(w, "runawayBound", s.RunawayBound); // the default keeps earlier scenarios' hashes
        w.WriteStartObject("innovations");
        if (s.Innovations.StudentTDof is double nu)
        {
            w.WriteString("distribution", "student-t");
            Number(w, "dof", nu);
        }
        else w.WriteString("distribution", "normal");
        w.WriteEndObject();
        if (s.Garch is { } g)
        {
            w.WriteStartObject("garch");
            Number(w, "alpha", g.Alpha);
            Number(w, "beta", g.Beta);
            w.WriteEndObject();
        }
        if (s.Jumps is { } j)
        {
            w.WriteStartObject("jumps");
            Number(w, "intensity", j.Intensity);
            Number(w, "meanLogSize", j.MeanLogSize);
            Number(w, "logSizeVolatility", j.LogSizeVolatility);
            w.WriteEndObject();
        }
        w.WriteStartArray("assets");
        foreach (var a in s.Assets) Asset(w, a, editable);
        w.WriteEndArray();
        int n = s.Assets.Length;
        if (!s.Correlation.IsDefaultOrEmpty)
        {
            w.WriteStartArray("correlation");
            for (int i = 0; i < n; i++)
            {
                w.WriteStartArray();
                for (int k = 0; k < n; k++) NumberValue(w, s.Correlation[i * n + k]);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        if (!s.Stress.IsDefaultOrEmpty)
        {
            w.WriteStartArray("stress");
            foreach (var shock in s.Stress)
            {
                w.WriteStartObject();
                w.WriteNumber("step", shock.Step);
                w.WriteString("asset", s.Assets[shock.AssetIndex].Symbol);
                Number(w, "logReturn", shock.LogReturn);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        UncertaintyModule.WriteJson(w, s.Uncertainty);
        HistoryModule.WriteJson(w, s, editable);
        if (written.Venues is not null) VenuesModule.WriteJson(w, written, (w, t) => Venue(w, t, editable), BookObject);
        else
        {
            Venue(w, s, editable);
            BookObject(w, s);
        }
        w.WriteEndObject();
    }

    private static void BookObject(Utf8JsonWriter w, Scenario s)
    {
        w.WriteStartObject("book");
        w.WriteStartArray("cohorts");
        foreach (var c in s.Book.Cohorts) Cohort(w, s, c);
        w.WriteEndArray();
        if (s.Book.Generator is { } gen) Generator(w, s, gen);
        w.WriteEndObject();
    }

    private static void Asset(Utf8JsonWriter w, AssetSpec a, bool editable)
    {
        w.WriteStartObject();
        w.WriteString("symbol", a.Symbol);
        Number(w, "price", a.Price);
        Number(w, "volatility", a.Volatility);
        if (!editable || !a.LongRunVolatility.Equals(a.Volatility)) Number(w, "longRunVolatility", a.LongRunVolatility);
        Number(w, "drift", a.Drift);
        if (editable && a.Impact is LinearImpact shorthand) Number(w, "depth1pct", shorthand.Depth1Pct);
        else Impact(w, a.Impact);
        Number(w, "permanentImpact", a.PermanentImpact);
        w.WriteString("impactHalfLife", a.ImpactHalfLife.Text);
        Number(w, "jumpBeta", a.JumpBeta);
        Number(w, "collateralWeight", a.CollateralWeight);
        LiquidityModule.WriteJson(w, a);
        MechanismCatalogue.WriteJson(w, a.Mechanisms);
        w.WriteEndObject();
    }

    private static void Impact(Utf8JsonWriter w, ImpactSpec impact)
    {
        w.WriteStartObject("impact");
        switch (impact)
        {
            case LinearImpact l:
                w.WriteString("model", "linear");
                Number(w, "depth1pct", l.Depth1Pct);
                break;
            case SquareRootImpact q:
                w.WriteString("model", "sqrt");
                Number(w, "dailyVolume", q.DailyVolume);
                Number(w, "y", q.Y);
                break;
        }
        w.WriteEndObject();
    }

    private static void Venue(Utf8JsonWriter w, Scenario s, bool editable)
    {
        var v = s.Venue;
        w.WriteStartObject("venue");
        w.WriteStartObject("maintenanceMargin");
        for (int i = 0; i < s.Assets.Length; i++)
        {
            w.WritePropertyName(s.Assets[i].Symbol);
            switch (v.MaintenanceMargin[i])
            {
                case StaticMargin m:
                    NumberValue(w, m.Rate);
                    break;
                case TieredMargin t:
                    // Amounts that are the continuous ones are left out in the editable form: a changed rate moves them.
                    bool amounts = !editable || !MaintenanceMargin.ContinuousTiers([.. t.Tiers.Select(x => (x.Cap, x.Rate))])
                        .SequenceEqual(t.Tiers);
                    w.WriteStartObject();
                    w.WriteStartArray("tiers");
                    foreach (var tier in t.Tiers)
                    {
                        w.WriteStartObject();
                        Number(w, "cap", tier.Cap);
                        Number(w, "rate", tier.Rate);
                        if (amounts) Number(w, "amount", tier.Amount);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                    break;
                case DynamicMargin d:
                    w.WriteStartObject();
                    w.WriteStartObject("dynamic");
                    Number(w, "floor", d.Floor);
                    Number(w, "z", d.Z);
                    w.WriteString("closeOutHorizon", d.CloseOutHorizon.Text);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
            }
        }
        w.WriteEndObject();
        Number(w, "liquidationPenalty", v.LiquidationPenalty);
        OracleModule.WriteJson(w, v);
        Number(w, "insuranceFund", v.InsuranceFund);
        w.WriteStartObject("liquidation");
        if (v.Liquidation.IsFull) w.WriteString("mode", "full");
        else
        {
            w.WriteString("mode", "partial");
            Number(w, "tranche", v.Liquidation.Tranche);
            Number(w, "dustNotional", v.Liquidation.DustNotional);
        }
        w.WriteEndObject();
        w.WriteNumber("roundCap", v.RoundCap);
        AdlModule.WriteJson(w, v);
        CapacityModule.WriteJson(w, v);
        MechanismCatalogue.WriteJson(w, v.Mechanisms);
        w.WriteEndObject();
    }

    private static void Cohort(Utf8JsonWriter w, Scenario s, CohortSpec c)
    {
        w.WriteStartObject();
        if (c.Name is not null) w.WriteString("name", c.Name);
        Number(w, "accounts", c.Accounts);
        w.WriteStartArray("positions");
        foreach (var p in c.Positions)
        {
            w.WriteStartObject();
            w.WriteString("asset", s.Assets[p.AssetIndex].Symbol);
            w.WriteString("side", p.Units < 0 ? "short" : "long");
            Number(w, "units", Math.Abs(p.Units));
            Number(w, "entryPrice", p.EntryPrice);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("collateral");
        Number(w, "USD", c.UsdCollateral);
        foreach (var h in c.Collateral) Number(w, s.Assets[h.AssetIndex].Symbol, h.Units);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Generator(Utf8JsonWriter w, Scenario s, BookGeneratorSpec g)
    {
        w.WriteStartObject("generator");
        w.WriteNumber("seed", g.Seed);
        w.WriteNumber("cohortsPerAsset", g.CohortsPerAsset);
        Number(w, "crossMarginShare", g.CrossMarginShare);
        Number(w, "coinMarginedShare", g.CoinMarginedShare);
        Number(w, "accountsPerCohort", g.AccountsPerCohort);
        w.WriteStartObject("assets");
        foreach (var a in g.Assets)
        {
            w.WriteStartObject(s.Assets[a.AssetIndex].Symbol);
            Number(w, "openInterest", a.OpenInterest);
            Number(w, "longShare", a.LongShare);
            w.WriteStartObject("leverage");
            Number(w, "median", a.LeverageMedian);
            Number(w, "dispersion", a.LeverageDispersion);
            Number(w, "max", a.LeverageMax);
            w.WriteEndObject();
            Number(w, "entryDispersion", a.EntryDispersion);
            if (a.HedgedShare != 0) Number(w, "hedgedShare", a.HedgedShare); // 0, the default, keeps earlier scenarios' hashes
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    // The grammar reads numbers from text: infinities (a last tier's cap) go as the strings it accepts.
    internal static void Number(Utf8JsonWriter w, string name, double v)
    {
        w.WritePropertyName(name);
        NumberValue(w, v);
    }

    private static void NumberValue(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteStringValue(double.IsNaN(v) ? ".nan" : v > 0 ? ".inf" : "-.inf");
    }
}
