using System.Globalization;

namespace GpuCascade.Operations;

/// <summary>
/// Reads the files the engine takes as input (scenarios, partial files, checkpoints, result and series JSON) with the
/// same guards: a regular file only (not a directory, a device such as /dev/zero, or a pipe) and a size cap per kind, so
/// that a wrong path is refused at once with a message instead of being read until memory runs out.
/// </summary>
internal static class InputFile
{
    /// <summary>Cap on a scenario file: a scenario is a few KB, a listed book of 100,000 cohorts about 10 MB.</summary>
    public const long MaxScenarioBytes = 32L << 20;

    /// <summary>Cap on a JSON document read whole: a result (about 150 KB), a series (about 2.4 KB per step with 3
    /// assets, so 1 GiB is some 400,000 steps; longer series are for the CSV or Parquet forms) or a calibration
    /// checkpoint.</summary>
    public const long MaxJsonBytes = 1L << 30;

    /// <summary>Cap on a partial file or run checkpoint: the most one byte array holds (the file is read whole and
    /// checksummed). It grows about 2.2 bytes a path with the exact tails, so this is some 900 million paths per shard.</summary>
    public const long MaxAccumulatorBytes = 0x7FFFFFC7; // Array.MaxLength

    /// <summary>The bytes of <paramref name="path"/>. <paramref name="what"/> names the file in messages ("partial file").</summary>
    /// <exception cref="InputFileException">Missing, a directory, not a regular file, larger than
    /// <paramref name="maxBytes"/>, or unreadable; the message names the file and says what is wrong.</exception>
    public static byte[] ReadBytes(string path, string what, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        if (path.Length == 0) throw new InputFileException($"{what}: needs a file name, got an empty one");
        try
        {
            if (Directory.Exists(path)) throw new InputFileException($"{what} {Shown(path)}: is a directory, not a file");
            var info = new FileInfo(path);
            // A symbolic link (a scenario or data folder linked in) is judged by the file it leads to.
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) info = target;
            if (!info.Exists) throw new InputFileException($"{what} not found: {Shown(path)}");
            long length = info.Length;
            if (length > maxBytes) throw TooLarge(path, what, length, maxBytes);
            // Devices (/dev/zero, /dev/urandom) and pipes report a size of 0, and opening a pipe waits for a writer: an
            // empty size is refused before the file is opened.
            if (length == 0)
                throw new InputFileException($"{what} {Shown(path)}: is empty (0 bytes), or is a device or a pipe rather than a regular file; give the file itself");
            using var stream = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            if (!stream.CanSeek) throw NotRegular(path, what);
            // A regular file holds exactly its size: more bytes than that means it is not one (or it is being written).
            var bytes = new byte[length];
            int read = 0;
            while (read < bytes.Length)
            {
                int n = stream.Read(bytes, read, bytes.Length - read);
                if (n == 0) break;
                read += n;
            }
            if (read < bytes.Length)
                throw new InputFileException($"{what} {Shown(path)}: holds fewer bytes than its size says (a special file, or one being written)");
            if (stream.ReadByte() >= 0) throw NotRegular(path, what);
            return bytes;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputFileException($"{what} not found: {Shown(path)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InputFileException($"{what} {Shown(path)}: cannot be read: {e.Message}");
        }
    }

    /// <summary>The text of <paramref name="path"/> (UTF-8, or the encoding its byte-order mark names).</summary>
    /// <exception cref="InputFileException">As <see cref="ReadBytes"/>.</exception>
    public static string ReadText(string path, string what, long maxBytes)
    {
        return Decode(ReadBytes(path, what, maxBytes));
    }

    /// <summary>A file's bytes as text: UTF-8, or the encoding its byte-order mark names.</summary>
    public static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static InputFileException NotRegular(string path, string what) =>
        new($"{what} {Shown(path)}: not a regular file (a device or a pipe), or it is still being written; give the file itself");

    private static InputFileException TooLarge(string path, string what, long length, long maxBytes) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{what} {Shown(path)}: {length:N0} bytes, over the limit of {Megabytes(maxBytes)} for this kind of file (is this the right file?)"));

    private static string Megabytes(long bytes) =>
        bytes >= 1L << 30 ? (bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture) + " GiB"
        : bytes >= 1L << 20 ? (bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB"
        : bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";

    /// <summary>A path as a message shows it: whole up to <see cref="Operations.Echo.MaxPathCharacters"/> characters.</summary>
    private static string Shown(string path) => Operations.Echo.Path(path);
}

/// <summary>An input file that cannot be used: its message names the file and what is wrong with it.</summary>
internal sealed class InputFileException(string message) : Exception(message);
