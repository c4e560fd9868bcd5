using GpuCascade.Cli.Commands.Backtest;
using GpuCascade.Cli.Commands.Bench;
using GpuCascade.Cli.Commands.Calibrate;
using GpuCascade.Cli.Commands.Compare;
using GpuCascade.Cli.Commands.Devices;
using GpuCascade.Cli.Commands.Book;
using GpuCascade.Cli.Commands.Fit;
using GpuCascade.Cli.Commands.Nowcast;
using GpuCascade.Cli.Commands.Merge;
using GpuCascade.Cli.Commands.Report;
using GpuCascade.Cli.Commands.Run;
using GpuCascade.Cli.Commands.Scenario;
using GpuCascade.Cli.Commands.SelfTest;

namespace GpuCascade.Cli;

/// <summary>
/// The root of <c>gpucascade</c>: which commands it holds, in the order its help lists them, each command's definition
/// (Commands/&lt;Command&gt;/) joined to its handler. Parsing, help and parse errors are <see cref="CommandTree"/>'s.
/// </summary>
internal static class CommandLine
{
    public static CommandTree Create(CommandContext context)
    {
        // A plain command as the root, so that usage lines say gpucascade whatever the executable is called.
        var tree = new CommandTree(new Command("gpucascade", "GpuCascade: Monte Carlo liquidation cascades in leveraged markets."));
        tree.Root.Subcommands.Add(RunDefinition.Create(tree, a => RunCommand.Run(a, context)));
        tree.Root.Subcommands.Add(CompareDefinition.Create(tree, a => CompareCommand.Run(a, context)));
        tree.Root.Subcommands.Add(CalibrateDefinition.Create(tree, a => CalibrateCommand.Run(a, context)));
        tree.Root.Subcommands.Add(MergeDefinition.Create(tree, a => MergeCommand.Run(a, context)));
        tree.Root.Subcommands.Add(DevicesDefinition.Create(tree, () => DevicesCommand.Run(context)));
        tree.Root.Subcommands.Add(SelfTestDefinition.Create(tree, a => SelfTestCommand.Run(a, context)));
        tree.Root.Subcommands.Add(BenchDefinition.Create(tree, a => BenchCommand.Run(a, context)));
        tree.Root.Subcommands.Add(ScenarioDefinition.Create(tree, a => ScenarioCommand.Run(a, context)));
        tree.Root.Subcommands.Add(ReportDefinition.Create(tree, a => ReportCommand.Run(a, context)));
        tree.Root.Subcommands.Add(FitDefinition.Create(tree, a => FitCommand.Run(a, context)));
        tree.Root.Subcommands.Add(BookDefinition.Create(tree, a => BookCommand.Run(a, context)));
        tree.Root.Subcommands.Add(BacktestDefinition.Create(tree, a => BacktestCommand.Run(a, context)));
        tree.Root.Subcommands.Add(NowcastDefinition.Create(tree, a => NowcastCommand.Run(a, context)));
        tree.Examples[tree.Root] = """
              gpucascade run                 simulate the embedded default scenario
              gpucascade compare --vary venue.insuranceFund=0,1e9
              gpucascade calibrate --vary venue.maintenanceMargin.ETH=0.004..0.05 --target 'badDebt.es.0.99<=insuranceFund'
              gpucascade scenario default    the default scenario as YAML, to start your own from
              gpucascade run --help          the options of a command
              gpucascade devices
            """;
        return tree;
    }
}
