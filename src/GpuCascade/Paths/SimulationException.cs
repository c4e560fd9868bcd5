namespace GpuCascade.Paths;

/// <summary>
/// A path left the model's numerical domain (a price overflowed to infinity or became NaN): the scenario's
/// liquidity is far too shallow for its book. The message names the path, step and asset.
/// </summary>
public sealed class SimulationException(string message) : Exception(message);
