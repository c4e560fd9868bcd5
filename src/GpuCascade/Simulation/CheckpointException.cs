namespace GpuCascade.Simulation;

/// <summary>A checkpoint that cannot be used: written for other arguments, or unreadable. The engine's checkpoints and
/// partial files (the accumulator file) and calibration's checkpoint throw it.</summary>
public sealed class CheckpointException(string message) : Exception(message);
