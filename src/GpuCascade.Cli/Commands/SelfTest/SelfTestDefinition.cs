using GpuCascade.Operations;

using static GpuCascade.Cli.Shared.OptionParsing;

namespace GpuCascade.Cli.Commands.SelfTest;

/// <summary>Parsed arguments of <c>gpucascade selftest</c>.</summary>
internal sealed record SelfTestArguments
{
    /// <summary>The one device to check (<c>--backend</c>), or null for all.</summary>
    public string? Backend { get; init; }
    /// <summary>The API that must have a usable device (<c>--require</c>), or null.</summary>
    public string? Require { get; init; }
}

/// <summary>The <c>selftest</c> command: the device, the API required and the examples.</summary>
internal static class SelfTestDefinition
{
    public static Command Create(CommandTree tree, Func<SelfTestArguments, int> selftest)
    {
        var backend = new Option<string?>("--backend") { Description = "check only this device (see 'gpucascade devices')", HelpName = "NAME" };
        var require = new Option<string?>("--require")
        {
            Description = "fail also when this API has no usable device (for a GPU machine)",
            HelpName = "cuda|opencl",
        };
        require.CustomParser = r => Parse<string?>(r, t => t is "cuda" or "opencl" ? t : throw new UsageException($"--require: expected cuda or opencl, got {Echo.Quote(t)}"));
        var command = new Command("selftest",
            "Check every ILGPU device (or the named one): Philox known answers, parity with the managed backend, the closed forms; exit 1 on any failure.")
            { backend, require };
        tree.Examples[command] = """
              gpucascade selftest
              gpucascade selftest --backend cuda:0 --require cuda   on a GPU machine: fail if CUDA is unusable
            """;
        command.SetAction(r => selftest(new SelfTestArguments { Backend = r.GetValue(backend), Require = r.GetValue(require) }));
        return command;
    }
}
