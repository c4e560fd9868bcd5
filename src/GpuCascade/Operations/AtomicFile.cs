namespace GpuCascade.Operations;

/// <summary>
/// Writes a file so that it is either the old one or the complete new one, never half: a temporary file in the same
/// directory, flushed to disk, then renamed over the target. Results, checkpoints and partial files all go this way.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="write"/>'s bytes to <paramref name="path"/> atomically; the temporary file is
    /// removed if anything fails.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the original error matters more
            }
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8, no byte-order mark) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
        });
}
