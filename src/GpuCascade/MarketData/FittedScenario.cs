using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using GpuCascade.Prices;
using GpuCascade.Scenarios;

namespace GpuCascade.MarketData;

/// <summary>
/// A fitted market in a scenario (docs/market-data.md): the base scenario's venue, book and other terms with, for each of
/// its assets, the price, volatility, long-run volatility and jump loading fitted from its file, and the scenario's
/// innovations, GARCH, jumps and correlation fitted; the step is the fit's interval (GARCH's coefficients are per step).
/// </summary>
public static class FittedScenario
{
    /// <summary>The scenario: <paramref name="baseScenario"/> with <paramref name="fit"/>'s market.</summary>
    /// <exception cref="ScenarioException">The base's assets and the fitted symbols differ, its horizon is not a whole number
    /// of intervals, or the result is not a valid scenario (every error named).</exception>
    public static Scenario Apply(MarketFit fit, Scenario baseScenario)
    {
        VenuesModule.RequireOneVenue(baseScenario, "a fitted scenario");
        var errors = new List<ScenarioError>();
        var bySymbol = fit.Assets.Select((a, k) => (a, k)).ToDictionary(p => p.a.Symbol, p => p.k);
        var missing = baseScenario.Assets.Where(a => !bySymbol.ContainsKey(a.Symbol)).Select(a => a.Symbol).ToList();
        var extra = fit.Assets.Select(a => a.Symbol).Where(s => baseScenario.Assets.All(a => a.Symbol != s)).ToList();
        if (missing.Count > 0) errors.Add(new ScenarioError("assets", $"{string.Join(", ", missing)} of the base scenario have no price file (give one each, or a base scenario with the fitted assets only: --base)"));
        if (extra.Count > 0) errors.Add(new ScenarioError("assets", $"{string.Join(", ", extra)} are fitted but not in the base scenario, which has no book or venue terms for them (--base a scenario that lists them)"));
        double steps = baseScenario.Horizon.Years / fit.IntervalYears;
        if (Math.Abs(steps - Math.Round(steps)) > 1e-6 * Math.Max(1, steps) || Math.Round(steps) < 1)
            errors.Add(new ScenarioError("horizon", $"the base scenario's horizon {baseScenario.Horizon.Text} is not a whole number of the fit's {Intervals.Format(fit.Interval)} intervals (GARCH's coefficients are per step: fit at the step you will run, --interval)"));
        int newSteps = (int)Math.Round(steps);
        if (errors.Count == 0 && newSteps != baseScenario.Steps)
            foreach (var key in StepCountedKeys(baseScenario))
                errors.Add(new ScenarioError(key, $"counts steps, and the fit changes the step from {baseScenario.Horizon.Text} / {baseScenario.Steps} to {Intervals.Format(fit.Interval)}: give it in the fit's steps in a base scenario of {newSteps} steps, or fit at the base's step (--interval)"));
        if (errors.Count > 0) throw new ScenarioException(errors);
        int n = baseScenario.Assets.Length;
        var order = baseScenario.Assets.Select(a => bySymbol[a.Symbol]).ToArray();
        var assets = baseScenario.Assets.Select(a =>
        {
            var f = fit.Assets[bySymbol[a.Symbol]];
            return a with
            {
                Price = f.LastPrice, Volatility = f.Volatility.Value, LongRunVolatility = f.LongRunVolatility.Value,
                // A loading only where the asset had returns at the jumps; the base's otherwise.
                JumpBeta = fit.Jumps > 0 && double.IsFinite(f.JumpBeta.StandardError) ? f.JumpBeta.Value : a.JumpBeta,
            };
        }).ToImmutableArray();
        // The listed cohorts keep their moneyness and notional at the new prices: entries scale with the price, units and
        // coin collateral inversely (a generated book is drawn around the new prices anyway).
        double[] scale = [.. baseScenario.Assets.Select((a, i) => assets[i].Price / a.Price)];
        var cohorts = baseScenario.Book.Cohorts.Select(c => c with
        {
            Positions = [.. c.Positions.Select(p => p with { Units = p.Units / scale[p.AssetIndex], EntryPrice = p.EntryPrice * scale[p.AssetIndex] })],
            Collateral = [.. c.Collateral.Select(h => h with { Units = h.Units / scale[h.AssetIndex] })],
        }).ToImmutableArray();
        int fitted = fit.Assets.Length;
        var correlation = n == 1 ? ImmutableArray<double>.Empty
            : Enumerable.Range(0, n * n).Select(k => fit.Correlation[order[k / n] * fitted + order[k % n]]).ToImmutableArray();
        var scenario = baseScenario with
        {
            Steps = newSteps,
            Assets = assets,
            Book = baseScenario.Book with { Cohorts = cohorts },
            Correlation = correlation,
            Innovations = new InnovationSpec(fit.Dof.Value),
            Garch = new GarchSpec(fit.GarchAlpha.Value, fit.GarchBeta.Value),
            Jumps = fit.Jumps > 0 && fit.JumpIntensity.Value > 0
                ? new JumpSpec(fit.JumpIntensity.Value, fit.JumpMeanLogSize.Value, fit.JumpLogSizeVolatility.Value) : null,
            Stress = [],
            History = null, // the fitted market replaces a base's historical shocks
        };
        var invalid = ScenarioValidator.Validate(scenario);
        if (invalid.Count > 0) throw new ScenarioException(invalid);
        return scenario;
    }

    /// <summary>The base's keys that count steps (a changed step would change what they mean); stress shocks are dropped.</summary>
    internal static IEnumerable<string> StepCountedKeys(Scenario s)
    {
        if (s.Venue.OracleDelaySteps > 0) yield return "venue.oracleDelaySteps";
        if (s.Venue.Mechanisms.Get<OracleSpec>() is { } oracle && !oracle.Feeds.IsDefault && oracle.Feeds.Any(f => f?.Manipulation is not null))
            yield return "venue.oracle.feeds[].manipulation";
        for (int i = 0; i < s.Assets.Length; i++)
            if (s.Assets[i].Mechanisms.Get<ReturningLiquiditySpec>() is { Delay: > 0 })
                yield return $"assets[{s.Assets[i].Symbol}].returningLiquidity.delay";
    }

    /// <summary>The fitted scenario as YAML that <c>run</c> reads: a comment block with every estimate and its standard
    /// error, then the normalised scenario.</summary>
    public static string Yaml(MarketFit fit, Scenario scenario, IEnumerable<string> files) =>
        Comments(fit, files) + "\n" + ScenarioYaml.Normalised(scenario);

    /// <summary>The estimates with their standard errors, one line each, as YAML comments.</summary>
    public static string Comments(MarketFit fit, IEnumerable<string> files)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"# gpucascade fit: {string.Join(", ", files.Select(f => f.ReplaceLineEndings(" ")))}");
        sb.AppendLine(inv, $"# interval {Intervals.Format(fit.Interval)} (the scenario's step); estimates (standard errors); volatilities annualised, years of 365 days");
        foreach (var a in fit.Assets)
            sb.AppendLine(inv, $"#   {a.Symbol}: {a.Returns:N0} returns {a.First:yyyy-MM-dd HH:mm} .. {a.Last:yyyy-MM-dd HH:mm} UTC ({a.Gaps:N0} missing intervals{(a.Duplicates > 0 ? $", {a.Duplicates:N0} repeated rows dropped" : "")}), last price {a.LastPrice:G8}; " +
                               $"volatility (GARCH, now) {E(a.Volatility)}, long-run {E(a.LongRunVolatility)}, EWMA {E(a.EwmaVolatility)}, jump beta {E(a.JumpBeta)}");
        sb.AppendLine(inv, $"#   GARCH(1,1) per step: alpha {E(fit.GarchAlpha)}, beta {E(fit.GarchBeta)}; Student-t dof {E(fit.Dof)}; log-likelihood {fit.LogLikelihood:F1}");
        sb.AppendLine(fit.Jumps == 0
            ? "#   jumps: none beyond the threshold"
            : string.Create(inv, $"#   jumps: {fit.Jumps} beyond the threshold; intensity {E(fit.JumpIntensity)} a year, mean log size {E(fit.JumpMeanLogSize)}, log-size volatility {E(fit.JumpLogSizeVolatility)}"));
        int n = fit.Assets.Length;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                sb.AppendLine(inv, $"#   correlation {fit.Assets[i].Symbol}-{fit.Assets[j].Symbol} {E(new Estimate(fit.Correlation[i * n + j], fit.CorrelationStandardErrors[i * n + j]))}");
        if (fit.Dof.Value <= 4)
            sb.AppendLine("#   (n/a: with nu <= 4 the squared returns have no finite variance, so the long-run volatilities' and correlations' standard errors are not defined)");
        if (fit.Shrinkage > 0) sb.AppendLine(inv, $"#   the pairwise correlation was shrunk towards the identity by {fit.Shrinkage:G3} to be positive definite");
        return sb.ToString();
    }

    private static string E(Estimate e) =>
        string.Create(CultureInfo.InvariantCulture, $"{e.Value:G4} ({(double.IsNaN(e.StandardError) ? "n/a" : e.StandardError.ToString("G2", CultureInfo.InvariantCulture))})");
}
