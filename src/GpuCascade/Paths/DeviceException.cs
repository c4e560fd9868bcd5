namespace GpuCascade.Paths;

/// <summary>A device failed or cannot run the path kernel; the message names the device and the reason.</summary>
public class DeviceException(string message) : Exception(message);

/// <summary>The device ran out of memory; the host halves its launch and retries.</summary>
public sealed class DeviceOutOfMemoryException(string message) : DeviceException(message);
