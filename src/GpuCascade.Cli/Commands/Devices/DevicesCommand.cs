using GpuCascade.Backends;

namespace GpuCascade.Cli.Commands.Devices;

/// <summary><c>gpucascade devices</c>: every device of <see cref="BackendCatalog.List"/> with its stable name, memory and
/// compute units, and why others cannot be used.</summary>
internal static class DevicesCommand
{
    public static int Run(CommandContext context)
    {
        var stdout = context.Stdout;
        stdout.WriteLine($"{"name",-14} {"kind",-4} {"memory",10} {"units",5}  model / details");
        foreach (var d in BackendCatalog.List())
            stdout.WriteLine($"{d.Name,-14} {d.Kind,-4} {d.MemoryBytes / (1024.0 * 1024 * 1024),7:0.0} GiB {d.ComputeUnits,5}  {d.Model} / {d.Details}");
        foreach (var d in BackendCatalog.List().Where(d => d.Skipped is not null))
            stdout.WriteLine($"({d.Name} is listed but skipped: {d.Skipped})");
        foreach (var why in BackendCatalog.Unavailable)
            stdout.WriteLine($"({why})");
        return ExitCodes.Ok;
    }
}
