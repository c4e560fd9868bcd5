
namespace GpuCascade.Cli.Commands.Fit;

/// <summary>Parsed arguments of <c>gpucascade fit</c>.</summary>
internal sealed record FitArguments
{
    /// <summary>The price files, each optionally <c>SYMBOL=FILE</c>.</summary>
    public required IReadOnlyList<string> Files { get; init; }
    public TimeSpan? Interval { get; init; }
    public string? BasePath { get; init; }
    public string? OutPath { get; init; }
    public double EwmaLambda { get; init; } = 0.94;
    public double JumpTail { get; init; } = 0.0001;
    public string? JsonPath { get; init; }
    public string? ReportPath { get; init; }
    public string? PlotsDirectory { get; init; }
}

/// <summary>The <c>fit</c> command: price files in, a scenario with the fitted market out.</summary>
internal static class FitDefinition
{
    public static Command Create(CommandTree tree, Func<FitArguments, int> fit)
    {
        var files = new Argument<string[]>("PRICES")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "price files (CSV with a time and a close column after any banner lines, or an exchange's headerless klines), one per asset; SYMBOL=FILE names the asset when the file does not",
        };
        var interval = new Option<TimeSpan?>("--interval")
        {
            Description = "the returns' interval and the scenario's step, such as 5m, 1h or 1d [the coarsest spacing of the files]",
            HelpName = "DURATION",
            CustomParser = r => PriceArguments.Duration(r, "--interval"),
        };
        var baseScenario = new Option<string?>("--base")
            { Description = "the scenario whose venue, book and horizon the fitted market joins; its assets are the fitted ones [the embedded default]", HelpName = "SCENARIO" };
        var output = new Option<string?>("--out")
            { Description = "write the fitted scenario to FILE (YAML) and print the estimates; without it the scenario goes to stdout", HelpName = "FILE" };
        var lambda = new Option<double>("--ewma-lambda") { Description = "the EWMA's decay per interval, in (0, 1) [0.94]", DefaultValueFactory = _ => 0.94, HelpName = "LAMBDA" };
        var tail = new Option<double>("--jump-tail")
            { Description = "a return is a jump beyond the fitted Student-t's two-sided quantile of this probability, in [1e-6, 0.05] [0.0001]", DefaultValueFactory = _ => 0.0001, HelpName = "P" };
        var json = new Option<string?>("--json")
            { Description = "write the estimates with their standard errors, the correlation matrix and the price files' SHA-256 as JSON ('-' for stdout, with --out FILE)", HelpName = "FILE" };
        var report = new Option<string?>("--report")
        {
            Description = "write the HTML report of the fit to FILE: the estimates with 95% intervals, the correlation matrix and the volatility chart (the page 'gpucascade report' makes of the --json file)",
            HelpName = "FILE",
        };
        var plots = ReportOutputs.PlotsOption();
        var command = new Command("fit",
            "Fit the market to price files: per asset volatility (EWMA, GARCH(1,1) by maximum likelihood), Student-t degrees of freedom, common jumps (threshold method) and the correlation, each with a standard error; writes a scenario that run reads.")
            { files, interval, baseScenario, output, lambda, tail, json, report, plots };
        tree.Examples[command] = """
              gpucascade fit BTC_USDT_1h.csv ETH_USDT_1h.csv SOL_USDT_1h.csv --interval 1h --out fitted.yaml
              gpucascade run fitted.yaml
              gpucascade fit Binance_BTCUSDT_d.csv --base btc-venue.yaml --out btc.yaml      (a base scenario that lists BTC only, horizon in days)
              gpucascade fit BTC=prices.csv --interval 1d --base btc-venue.yaml            (the symbol named; the scenario on stdout)
              gpucascade fit BTC_USDT_1h.csv ETH_USDT_1h.csv --interval 1h --base venue.yaml --out fitted.yaml --json fit.json --report fit.html
              gpucascade fit BTC_USDT_1h.csv ETH_USDT_1h.csv --interval 1h --base venue.yaml --out fitted.yaml --plots plots/      (plots/fit-volatilities.png)
            """;
        command.SetAction(r => fit(new FitArguments
        {
            Files = r.GetValue(files) ?? [],
            Interval = r.GetValue(interval),
            BasePath = r.GetValue(baseScenario),
            OutPath = r.GetValue(output),
            EwmaLambda = r.GetValue(lambda),
            JumpTail = r.GetValue(tail),
            JsonPath = r.GetValue(json),
            ReportPath = r.GetValue(report),
            PlotsDirectory = r.GetValue(plots),
        }));
        return command;
    }
}
