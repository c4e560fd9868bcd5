using System.Collections.Immutable;
using System.Diagnostics;
using GpuCascade.MarketData;
using GpuCascade.Paths;
using GpuCascade.Prices;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Nowcasting;

/// <summary>One horizon of a nowcast: the scenario it ran and its result.</summary>
/// <param name="Horizon">The horizon.</param>
/// <param name="Scenario">Today's scenario over it: fitted market, today's book and depth, the state's paths.</param>
/// <param name="Result">The run.</param>
public sealed record NowcastHorizon(Duration Horizon, Scenario Scenario, RunResult Result);

/// <summary>A nowcast (docs/market-data.md, "Nowcast").</summary>
/// <param name="AsOf">The time of the state: when the last row every asset has closed (at or before the state's <c>asOf</c>).</param>
/// <param name="Fit">The market fitted to the prices up to then.</param>
/// <param name="Positioning">What the positioning and depth files gave, per asset.</param>
/// <param name="Horizons">Each horizon's run.</param>
/// <param name="ElapsedSeconds">Wall time of the whole nowcast: reading aside, the fit, the book and the runs.</param>
public sealed record NowcastResult(DateTimeOffset AsOf, MarketFit Fit, ImmutableArray<PositioningSummary> Positioning,
    ImmutableArray<NowcastHorizon> Horizons, double ElapsedSeconds);

/// <summary>
/// Nowcasts: the probability of a cascade within each horizon from what is known now. The prices up to the state's time
/// are fitted (<see cref="MarketFitter"/>, at the state's interval, which is the runs' step), joined to the venue's
/// scenario at today's prices (<see cref="FittedScenario"/>), given today's book and depth (<see cref="BookFromData"/>),
/// and run once per horizon with the state's paths.
/// </summary>
public static class Nowcaster
{
    /// <summary>Runs the nowcast of <paramref name="state"/> on <paramref name="backend"/> [the managed backend].</summary>
    /// <exception cref="PriceFileException">Too few returns before the state's time, or a file coarser than the interval.</exception>
    /// <exception cref="ScenarioException">A horizon is not a whole number of intervals, or the scenario today is invalid.</exception>
    public static NowcastResult Run(NowcastState state, ISimulationBackend? backend = null, IProgress<RunProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var clock = Stopwatch.StartNew();
        var spacings = state.Prices.Select(p => p.Spacing).ToArray(); // derived from every row: once per series
        var prices = state.Prices.Select((p, i) => Until(p, spacings[i], state.AsOf, state.Lookback)).ToList();
        MarketFit fit;
        try
        {
            fit = MarketFitter.Fit(prices, new FitOptions { Interval = state.Interval });
        }
        catch (PriceFileException e) when (e.Message.Contains("--interval", StringComparison.Ordinal))
        {
            throw new PriceFileException(e.Message.Replace("give --interval", "set the state's interval", StringComparison.Ordinal)); // fit's option is the state's key here
        }
        var asOf = prices.Select((p, i) => p.Times[^1] + spacings[i]).Min();
        var errors = new List<ScenarioError>();
        for (int i = 0; i < state.Horizons.Length; i++)
        {
            double steps = state.Horizons[i].Seconds / fit.Interval.TotalSeconds;
            if (Math.Abs(steps - Math.Round(steps)) > 1e-6 * Math.Max(1, steps) || Math.Round(steps) < 1)
                errors.Add(new ScenarioError($"horizons[{i}]", $"{state.Horizons[i].Text} is not a whole number of the fit's {Intervals.Format(fit.Interval)} intervals (the runs' step)"));
        }
        // Keys that count steps would silently change meaning with the step: refused, as fit refuses them.
        double baseStep = state.Scenario.Horizon.Seconds / state.Scenario.Steps, step = fit.Interval.TotalSeconds;
        if (Math.Abs(baseStep - step) > 1e-6 * step)
            foreach (var key in FittedScenario.StepCountedKeys(state.Scenario))
                errors.Add(new ScenarioError(key, $"counts steps, and the nowcast's step is {Intervals.Format(fit.Interval)}, not the scenario's {state.Scenario.Horizon.Text} / {state.Scenario.Steps}: give it in steps of {Intervals.Format(fit.Interval)} in a scenario of that step, or set the state's interval to the scenario's step"));
        if (errors.Count > 0) throw new ScenarioException(errors);
        var horizons = ImmutableArray.CreateBuilder<NowcastHorizon>();
        var summary = ImmutableArray<PositioningSummary>.Empty;
        foreach (var horizon in state.Horizons)
        {
            int steps = (int)Math.Round(horizon.Seconds / fit.Interval.TotalSeconds);
            var scenario = FittedScenario.Apply(fit, state.Scenario with { Horizon = horizon, Steps = steps });
            if (!state.Positioning.IsDefaultOrEmpty) (scenario, summary) = BookFromData.Apply(scenario, state.Positioning, state.AsOf);
            scenario = scenario with { Paths = state.Paths, Seed = state.Seed ?? scenario.Seed };
            var result = SimulationEngine.Run(scenario, new RunOptions { Backend = backend, Progress = progress });
            horizons.Add(new NowcastHorizon(horizon, scenario, result));
        }
        return new NowcastResult(asOf, fit, summary, horizons.ToImmutable(), clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The rows known at <paramref name="asOf"/> (all of them when null), from <paramref name="lookback"/> before the last
    /// when given. A row stands for the interval that starts at its time (an exchange candle is stamped at its open), so
    /// its close is known one spacing later: the rows kept end a spacing before the state's time, and nothing after that
    /// time reaches the nowcast.
    /// </summary>
    private static PriceSeries Until(PriceSeries series, TimeSpan spacing, DateTimeOffset? asOf, Duration? lookback)
    {
        int count = asOf is { } t ? series.Times.Count(time => time + spacing <= t) : series.Times.Length;
        if (count < 2)
            throw new PriceFileException($"{series.Source}: {count} price rows closed by {asOf:yyyy-MM-dd HH:mm:ss} UTC; the state's asOf is before the file");
        int first = 0;
        if (lookback is { } back)
        {
            var from = series.Times[count - 1] - TimeSpan.FromSeconds(back.Seconds);
            first = series.Times.Take(count).Count(time => time < from);
        }
        return series with { Times = series.Times[first..count], Closes = series.Closes[first..count] };
    }
}
