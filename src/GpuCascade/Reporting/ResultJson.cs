using System.Text;
using System.Text.Json;
using GpuCascade.Statistics;

namespace GpuCascade.Reporting;

/// <summary>
/// Writes a <see cref="RunResult"/> as JSON with the documented keys (README, "JSON result"). Everything that varies
/// between identical runs (timings, host) is under the single key <c>run</c>; NaN is written as null.
/// </summary>
public static class ResultJson
{
    /// <summary>The result as indented JSON text.</summary>
    public static string Serialize(RunResult r)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            Write(w, r);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the result to <paramref name="w"/>.</summary>
    public static void Write(Utf8JsonWriter w, RunResult r)
    {
        w.WriteStartObject();
        w.WriteNumber("paths", r.Paths);
        w.WriteNumber("requestedPaths", r.RequestedPaths);
        w.WriteNumber("seed", r.Seed);
        w.WriteString("backend", r.Backend);
        w.WriteString("horizon", r.Horizon);
        w.WriteNumber("steps", r.Steps);
        w.WriteNumber("cohorts", r.Cohorts);

        w.WriteStartObject("probabilities");
        Probability(w, "anyLiquidation", r.Probabilities.AnyLiquidation);
        Probability(w, "cascade", r.Probabilities.Cascade);
        Probability(w, "badDebt", r.Probabilities.BadDebt);
        Probability(w, "fundDepleted", r.Probabilities.FundDepleted);
        Probability(w, "runaway", r.Probabilities.Runaway);
        foreach (var (key, p) in r.Mechanisms.Probabilities) Probability(w, key["probabilities.".Length..], p);
        w.WriteEndObject();

        Loss(w, "badDebt", r.BadDebt);
        Loss(w, "liquidatedNotional", r.LiquidatedNotional);

        w.WriteStartObject("assets");
        foreach (var (symbol, a) in r.Assets)
        {
            w.WriteStartObject(symbol);
            Mean(w, "maxDrawdown", a.MaxDrawdown);
            Mean(w, "exogenousMaxDrawdown", a.ExogenousMaxDrawdown);
            Number(w, "amplification", a.Amplification);
            Mean(w, "liquidatedNotional", a.LiquidatedNotional);
            Mean(w, "maxDisplacement", a.MaxDisplacement);
            Mean(w, "minDepthFactor", a.MinDepthFactor);
            w.WriteEndObject();
        }
        w.WriteEndObject();

        // The mechanisms' means, one object per mechanism (adl.lossAbsorbed is "adl": {"lossAbsorbed": ...}), in schema order
        // (OutputSchemaTests: a mechanism's rows are contiguous and their keys start with its name and a dot).
        string? open = null;
        foreach (var (key, mean) in r.Mechanisms.Means)
        {
            var row = Paths.OutputSchema.Row(key);
            if (row.Mechanism != open)
            {
                if (open is not null) w.WriteEndObject();
                open = row.Mechanism!;
                w.WriteStartObject(open);
            }
            if (row.Has(Kernels.OutputAggregations.Tail)) Loss(w, row.MemberName, r.Mechanisms.Tail(key));
            else Mean(w, row.MemberName, mean);
        }
        if (open is not null) w.WriteEndObject();

        w.WriteNumber("roundCapHits", r.RoundCapHits);
        w.WriteNumber("runaways", r.Runaways);
        Mean(w, "maxRoundsInStep", r.MaxRoundsInStep);

        w.WriteStartObject("insuranceFund");
        Number(w, "start", r.InsuranceFund.Start);
        Mean(w, "end", r.InsuranceFund.End);
        Mean(w, "minimum", r.InsuranceFund.Minimum);
        Mean(w, "penalties", r.InsuranceFund.Penalties);
        Mean(w, "badDebtPaid", r.InsuranceFund.BadDebtPaid);
        Mean(w, "uncoveredLoss", r.InsuranceFund.UncoveredLoss);
        w.WriteEndObject();

        w.WriteStartObject("histograms");
        foreach (var (name, h) in r.Histograms)
        {
            w.WriteStartObject(name);
            w.WriteStartArray("edges");
            foreach (double e in h.Edges) w.WriteNumberValue(e);
            w.WriteEndArray();
            w.WriteStartArray("counts");
            foreach (long c in h.Counts) w.WriteNumberValue(c);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();

        WriteWork(w, r.Work);
        w.WriteStartArray("warnings");
        foreach (var warning in r.Warnings) w.WriteStringValue(warning);
        w.WriteEndArray();
        w.WriteStartArray("cohortAttribution");
        foreach (var c in r.CohortAttribution)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteStartArray("assets");
            foreach (var a in c.Assets) w.WriteStringValue(a);
            w.WriteEndArray();
            w.WriteString("side", c.Side);
            Number(w, "leverage", c.Leverage);
            Number(w, "notional", c.Notional);
            Probability(w, "pLiquidated", c.PLiquidated);
            Number(w, "liquidatedNotional", c.LiquidatedNotional);
            Number(w, "badDebt", c.BadDebt);
            Number(w, "tailShare", c.TailShare ?? double.NaN);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        if (r.Ladder is { } ladder) WriteLadder(w, ladder);
        if (r.VenueNames.Count > 0)
        {
            // Several venues (docs/model.md section 9): venue v's figures are "venues": {"v{v}BadDebt", ...}.
            w.WriteStartArray("venueNames");
            foreach (var name in r.VenueNames) w.WriteStringValue(name);
            w.WriteEndArray();
        }

        if (r.Manifest is { } m)
        {
            w.WriteStartObject("manifest");
            w.WriteStartObject("engine");
            w.WriteString("version", m.EngineVersion);
            w.WriteString("commit", m.EngineCommit);
            w.WriteEndObject();
            w.WriteString("scenarioSha256", m.ScenarioSha256);
            if (m.BookSha256 is null) w.WriteNull("bookSha256");
            else w.WriteString("bookSha256", m.BookSha256);
            w.WritePropertyName("scenario");
            w.WriteRawValue(m.ScenarioJson);
            w.WriteEndObject();
        }

        w.WriteStartObject("run");
        w.WriteString("backendDescription", r.Run.BackendDescription);
        Number(w, "elapsedSeconds", r.Run.ElapsedSeconds);
        Number(w, "pathStepsPerSecond", r.Run.PathStepsPerSecond);
        w.WriteBoolean("cancelled", r.Run.Cancelled);
        w.WriteString("startedUtc", r.Run.StartedUtc);
        w.WriteString("host", r.Run.Host);
        w.WriteString("engineVersion", r.Run.EngineVersion);
        if (r.Run.CommandLine is null) w.WriteNull("commandLine");
        else w.WriteString("commandLine", r.Run.CommandLine);
        w.WriteNumber("resumedPaths", r.Run.ResumedPaths);
        if (r.Run.MergedFrom.Count > 0)
        {
            w.WriteStartArray("mergedFrom");
            foreach (var part in r.Run.MergedFrom) w.WriteStringValue(part);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Writes <paramref name="work"/> as the object <c>"work": {"pathSteps", "marginChecks", "cohortLiquidations"}</c>.</summary>
    public static void WriteWork(Utf8JsonWriter w, RunWork work)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(work);
        w.WriteStartObject("work");
        w.WriteNumber("pathSteps", work.PathSteps);
        w.WriteNumber("marginChecks", work.MarginChecks);
        w.WriteNumber("cohortLiquidations", work.CohortLiquidations);
        w.WriteEndObject();
    }

    /// <summary>Writes the ladder as <c>"ladder": {"levels", "stepPercent", "assets": {SYMBOL: {"depthPerPercent", "down":
    /// {...}, "up": {...}}}}</c>, each direction with its arrays (index 0: the start) and <c>firstSupercritical</c>.</summary>
    internal static void WriteLadder(Utf8JsonWriter w, Book.LiquidationLadder ladder)
    {
        w.WriteStartObject("ladder");
        w.WriteNumber("levels", ladder.Levels);
        Number(w, "stepPercent", ladder.StepPercent);
        w.WriteStartObject("assets");
        foreach (var a in ladder.Assets)
        {
            w.WriteStartObject(a.Symbol);
            Number(w, "depthPerPercent", a.DepthPerPercent);
            foreach (var (name, side) in new[] { ("down", a.Down), ("up", a.Up) })
            {
                w.WriteStartObject(name);
                JsonFields.Numbers(w, "move", side.Move);
                JsonFields.Numbers(w, "notional", side.Notional);
                JsonFields.Numbers(w, "otherNotional", side.OtherNotional);
                JsonFields.Numbers(w, "cumulative", side.Cumulative);
                JsonFields.Numbers(w, "flow", side.Flow);
                JsonFields.Numbers(w, "inducedMove", side.InducedMove);
                JsonFields.Numbers(w, "ratio", side.Ratio);
                if (side.FirstSupercritical is int k) w.WriteNumber("firstSupercritical", k);
                else w.WriteNull("firstSupercritical");
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double value) => JsonFields.Number(w, name, value);

    private static void Probability(Utf8JsonWriter w, string name, ProbabilityEstimate p) =>
        JsonFields.Figure(w, name, p.Estimate, p.Lower, p.Upper);

    private static void Mean(Utf8JsonWriter w, string name, MeanEstimate m)
    {
        w.WriteStartObject(name);
        Number(w, "mean", m.Mean);
        Number(w, "standardError", m.StandardError);
        w.WriteEndObject();
    }

    private static void Loss(Utf8JsonWriter w, string name, LossDistribution d)
    {
        w.WriteStartObject(name);
        Number(w, "mean", d.Mean);
        Number(w, "standardError", d.StandardError);
        w.WriteStartObject("var");
        foreach (var (level, v) in d.ValueAtRisk.ByLevel()) Number(w, level.Key, v);
        w.WriteEndObject();
        w.WriteStartObject("es");
        foreach (var (level, v) in d.ExpectedShortfall.ByLevel()) Number(w, level.Key, v);
        w.WriteEndObject();
        Intervals(w, "varInterval", d.ValueAtRiskInterval);
        Intervals(w, "esInterval", d.ExpectedShortfallInterval);
        w.WriteEndObject();
    }

    private static void Intervals(Utf8JsonWriter w, string name, TailFigures<TailInterval> intervals)
    {
        w.WriteStartObject(name);
        foreach (var (level, interval) in intervals.ByLevel())
        {
            w.WriteStartObject(level.Key);
            Number(w, "lower", interval.Lower ?? double.NaN);
            Number(w, "upper", interval.Upper ?? double.NaN);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
