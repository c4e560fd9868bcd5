namespace GpuCascade.Cli.Commands.Backtest;

/// <summary>Parsed arguments of <c>gpucascade backtest</c>.</summary>
internal sealed record BacktestArguments
{
    public required string Prices { get; init; }
    public required string Margin { get; init; }
    public double Confidence { get; init; } = 0.99;
    public int HorizonDays { get; init; } = 2;
    public string? CsvPath { get; init; }
}

/// <summary>The <c>backtest</c> command: a price file and a margin rule in, the coverage tests and procyclicality out.</summary>
internal static class BacktestDefinition
{
    public static Command Create(CommandTree tree, Func<BacktestArguments, int> backtest)
    {
        var prices = new Option<string>("--prices") { Description = "the daily (or finer) price file of one asset; SYMBOL=FILE names it", HelpName = "FILE", Required = true };
        var margin = new Option<string>("--margin")
        {
            Description = "the margin rule: fixed:F (a fraction of notional), ewma[:LAMBDA] (the log move z sigma_EWMA sqrt(horizon), LAMBDA [0.94]) or table:FILE (the margin table of a calibrate --regimes ... --json result, by the EWMA volatility's nearest regime)",
            HelpName = "RULE",
            Required = true,
        };
        var confidence = new Option<double>("--confidence") { Description = "the confidence each side's margin aims at, in (0.5, 1) [0.99]", DefaultValueFactory = _ => 0.99, HelpName = "C" };
        var horizon = new Option<TimeSpan>("--horizon")
        {
            Description = "the close-out horizon, whole days [2d]",
            HelpName = "DURATION",
            DefaultValueFactory = _ => TimeSpan.FromDays(2),
            CustomParser = r => PriceArguments.Duration(r, "--horizon"),
        };
        var csv = new Option<string?>("--csv") { Description = "write each day's margin, move and exceedances, with and without each tool, as CSV ('-' for stdout)", HelpName = "FILE" };
        var command = new Command("backtest",
            "Backtest a margin rule on a price file: exceedances against the move over the close-out horizon for a long and a short, Kupiec's and Christoffersen's tests, the Basel traffic light, and procyclicality with and without EMIR's anti-procyclicality tools.")
            { prices, margin, confidence, horizon, csv };
        tree.Examples[command] = """
              gpucascade backtest --prices Binance_BTCUSDT_d.csv --margin ewma --confidence 0.99 --horizon 2d
              gpucascade backtest --prices Binance_ETHUSDT_d.csv --margin fixed:0.15 --csv eth-backtest.csv
              gpucascade backtest --prices Binance_BTCUSDT_d.csv --margin table:calibration.json      (calibrate --regimes ... --json)
            """;
        command.SetAction(r =>
        {
            var h = r.GetValue(horizon);
            if (h.TotalDays < 1 || h.TotalDays % 1 != 0) throw new UsageException($"--horizon: must be a whole number of days, got {h}");
            return backtest(new BacktestArguments
            {
                Prices = r.GetValue(prices)!,
                Margin = r.GetValue(margin)!,
                Confidence = r.GetValue(confidence),
                HorizonDays = (int)h.TotalDays,
                CsvPath = r.GetValue(csv),
            });
        });
        return command;
    }
}
