namespace GpuCascade.Cli.Commands.Devices;

/// <summary>The <c>devices</c> command and its example.</summary>
internal static class DevicesDefinition
{
    public static Command Create(CommandTree tree, Func<int> devices)
    {
        var command = new Command("devices", "List every device with its stable name, memory and compute units, and why others cannot be used.");
        tree.Examples[command] = """
              gpucascade devices
            """;
        command.SetAction(_ => devices());
        return command;
    }
}
