// Research example: run a scenario file and print its headline figures, each with its 95% interval.
// Run: dotnet run --project samples/RunFile -c Release -- [SCENARIO] [--paths N]   (default: scenarios/flash-crash.yaml)
using GpuCascade.Reporting;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Statistics;

string file = Path.Combine(AppContext.BaseDirectory, "flash-crash.yaml");
long? paths = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--paths" && i + 1 < args.Length) paths = long.Parse(args[++i]);
    else file = args[i];
}

Scenario scenario;
try
{
    scenario = ScenarioLoader.LoadFile(file);
}
catch (ScenarioException e)
{
    Console.Error.WriteLine(e.Message);   // every problem, as field.path: what is wrong (line, column)
    return 2;
}

RunResult r = SimulationEngine.Run(scenario, new RunOptions { Paths = paths });
Console.WriteLine($"{Path.GetFileName(file)}: {r.Paths:N0} paths x {r.Steps} steps over {r.Horizon}, {r.Cohorts} cohorts, seed {r.Seed}");

static string Pct(double x) => $"{100 * x:0.00}%";
static string Interval(ProbabilityEstimate p) => $"{Pct(p.Estimate),8}  [{Pct(p.Lower)}, {Pct(p.Upper)}]";
Console.WriteLine($"P(cascade)        {Interval(r.Probabilities.Cascade)}");
Console.WriteLine($"P(bad debt > 0)   {Interval(r.Probabilities.BadDebt)}");
Console.WriteLine($"P(fund depleted)  {Interval(r.Probabilities.FundDepleted)}");

double half = Proportion.Z95 * r.BadDebt.StandardError;
Console.WriteLine($"bad debt mean     {r.BadDebt.Mean,14:N0}  [{r.BadDebt.Mean - half:N0}, {r.BadDebt.Mean + half:N0}]");

// VaR and ES by level: the level is a number (0.95, 0.99, 0.999); a bound is null where none exists.
static string Bound(double? x) => x is double v ? v.ToString("N0") : "n/a";
foreach (var (level, es) in r.BadDebt.ExpectedShortfall)
{
    TailInterval esInterval = r.BadDebt.ExpectedShortfallInterval[level];
    TailInterval varInterval = r.BadDebt.ValueAtRiskInterval[level];
    string at = $"{100 * level:0.#}%";
    Console.WriteLine($"VaR {at,-6} bad debt {r.BadDebt.ValueAtRisk[level],14:N0}  [{Bound(varInterval.Lower)}, {Bound(varInterval.Upper)}]");
    Console.WriteLine($"ES {at,-7} bad debt {es,14:N0}  [{Bound(esInterval.Lower)}, {Bound(esInterval.Upper)}]");
}
foreach (var (symbol, asset) in r.Assets)
    Console.WriteLine($"{symbol} max drawdown {Pct(asset.MaxDrawdown.Mean)} (s.e. {Pct(asset.MaxDrawdown.StandardError)}), amplification {asset.Amplification:0.000}x");
foreach (string warning in r.Warnings) Console.Error.WriteLine($"warning: {warning}");
return 0;
