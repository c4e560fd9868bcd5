using System.Runtime.InteropServices;
using System.Text;
using GpuCascade.Backends.Device;

namespace GpuCascade.Backends.Cuda;

/// <summary>
/// The run-time compiler (nvrtc.h): CUDA C++ source to PTX. Found by searching the usual install places (no process
/// is spawned); among the copies found, one no newer than the driver is preferred, because the driver refuses PTX
/// from a newer toolkit (CUDA_ERROR_UNSUPPORTED_PTX_VERSION).
/// </summary>
internal sealed unsafe class Nvrtc
{
    // Fields carry the C names, so the bindings read like nvrtc.h.
    private readonly delegate* unmanaged<int, byte*> nvrtcGetErrorString;
    private readonly delegate* unmanaged<int*, int*, int> nvrtcVersion;
    private readonly delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int> nvrtcCreateProgram;
    private readonly delegate* unmanaged<nint, int, byte**, int> nvrtcCompileProgram;
    private readonly delegate* unmanaged<nint, nuint*, int> nvrtcGetProgramLogSize;
    private readonly delegate* unmanaged<nint, byte*, int> nvrtcGetProgramLog;
    private readonly delegate* unmanaged<nint, nuint*, int> nvrtcGetPTXSize;
    private readonly delegate* unmanaged<nint, byte*, int> nvrtcGetPTX;
    private readonly delegate* unmanaged<nint*, int> nvrtcDestroyProgram;
    // Optional (NVRTC 11.2 and later): null when missing.
    private readonly delegate* unmanaged<int*, int> nvrtcGetNumSupportedArchs;
    private readonly delegate* unmanaged<int*, int> nvrtcGetSupportedArchs;

    private Nvrtc(nint library, string path)
    {
        nvrtcGetErrorString = (delegate* unmanaged<int, byte*>)Export(library, "nvrtcGetErrorString");
        nvrtcVersion = (delegate* unmanaged<int*, int*, int>)Export(library, "nvrtcVersion");
        nvrtcCreateProgram = (delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int>)Export(library, "nvrtcCreateProgram");
        nvrtcCompileProgram = (delegate* unmanaged<nint, int, byte**, int>)Export(library, "nvrtcCompileProgram");
        nvrtcGetProgramLogSize = (delegate* unmanaged<nint, nuint*, int>)Export(library, "nvrtcGetProgramLogSize");
        nvrtcGetProgramLog = (delegate* unmanaged<nint, byte*, int>)Export(library, "nvrtcGetProgramLog");
        nvrtcGetPTXSize = (delegate* unmanaged<nint, nuint*, int>)Export(library, "nvrtcGetPTXSize");
        nvrtcGetPTX = (delegate* unmanaged<nint, byte*, int>)Export(library, "nvrtcGetPTX");
        nvrtcDestroyProgram = (delegate* unmanaged<nint*, int>)Export(library, "nvrtcDestroyProgram");
        NativeLibrary.TryGetExport(library, "nvrtcGetNumSupportedArchs", out nint count);
        NativeLibrary.TryGetExport(library, "nvrtcGetSupportedArchs", out nint archs);
        nvrtcGetNumSupportedArchs = (delegate* unmanaged<int*, int>)count;
        nvrtcGetSupportedArchs = (delegate* unmanaged<int*, int>)archs;

        int major, minor;
        Check(nvrtcVersion(&major, &minor), "nvrtcVersion");
        Version = major * 1000 + minor * 10;
        Location = path;
    }

    /// <summary>The library as it was found (a plain name when the system loader found it).</summary>
    public string Location { get; }

    /// <summary>The version in the driver's encoding (12080 for 12.8), so the two compare directly.</summary>
    public int Version { get; }

    /// <summary>The library names, newest first; the unversioned name is a toolkit's dev symlink.</summary>
    internal static IReadOnlyList<string> LibraryNames(bool windows) => windows
        ? ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll", "nvrtc64_112_0.dll"]
        : ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"];

    /// <summary>Where the search looks, for the message when nothing is found.</summary>
    internal const string SearchedPlaces =
        "the loader path, $CUDA_PATH/lib64, /usr/local/cuda/lib64, /usr/local/cuda-*/lib64 and pip's nvidia/cuda_nvrtc/lib and nvidia/cu13/lib";

    /// <summary>
    /// Every library to try, in order: the plain names (LD_LIBRARY_PATH, ldconfig), then each name in $CUDA_PATH,
    /// /usr/local/cuda, the versioned toolkits newest first, and pip's nvidia wheels under each python3.* (newest first)
    /// in /usr/lib, /usr/local/lib and ~/.local/lib. <paramref name="subdirectories"/>(parent, pattern) lists the
    /// existing subdirectories of parent matching a glob pattern (empty when parent does not exist).
    /// </summary>
    internal static IReadOnlyList<string> CandidateLibraries(string? cudaPath, string? home,
        Func<string, string, IEnumerable<string>> subdirectories, bool windows = false)
    {
        IReadOnlyList<string> names = LibraryNames(windows);
        var directories = new List<string>();
        if (windows)
        {
            // CUDA 13 moved the DLLs into bin\x64.
            if (!string.IsNullOrEmpty(cudaPath))
                directories.AddRange([Path.Combine(cudaPath, "bin", "x64"), Path.Combine(cudaPath, "bin")]);
        }
        else
        {
            if (!string.IsNullOrEmpty(cudaPath)) directories.Add(Path.Combine(cudaPath, "lib64"));
            directories.Add("/usr/local/cuda/lib64");
            directories.AddRange(NewestFirst(subdirectories("/usr/local", "cuda-*")).Select(d => Path.Combine(d, "lib64")));
            var roots = new List<string> { "/usr/lib", "/usr/local/lib" };
            if (!string.IsNullOrEmpty(home)) roots.Add(Path.Combine(home, ".local", "lib"));
            foreach (string root in roots)
            foreach (string python in NewestFirst(subdirectories(root, "python3*")))
            foreach (string packages in new[] { "site-packages", "dist-packages" })
            {
                // CUDA 12 wheels (nvidia-cuda-nvrtc-cu12) and CUDA 13 wheels (nvidia-cuda-nvrtc 13.x).
                directories.Add(Path.Combine(python, packages, "nvidia", "cuda_nvrtc", "lib"));
                directories.Add(Path.Combine(python, packages, "nvidia", "cu13", "lib"));
            }
        }
        var candidates = new List<string>(names);
        foreach (string directory in directories.Distinct())
            candidates.AddRange(names.Select(name => Path.Combine(directory, name)));
        return candidates;
    }

    /// <summary>Directories like cuda-12.8 or python3.12 ordered by the version in their name, newest first.</summary>
    private static IEnumerable<string> NewestFirst(IEnumerable<string> directories) =>
        directories.OrderByDescending(d => VersionInName(Path.GetFileName(d))).ThenByDescending(d => d, StringComparer.Ordinal);

    private static Version VersionInName(string name)
    {
        int start = name.IndexOfAny("0123456789".ToCharArray());
        if (start < 0) return new Version(0, 0);
        string digits = new(name[start..].TakeWhile(c => char.IsDigit(c) || c == '.').ToArray());
        string[] parts = digits.Trim('.').Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 1) parts = [parts[0], "0"];
        return System.Version.TryParse(string.Join('.', parts.Take(4)), out Version? version) ? version : new Version(0, 0);
    }

    private static readonly Dictionary<int, (Nvrtc? Compiler, string? Reason)> Loaded = [];

    /// <summary>
    /// The process-wide compiler for a driver: the first candidate whose version is at most <paramref name="driverVersion"/>,
    /// else the first that loads at all (its PTX will then be refused with a clear message), else false and the reason.
    /// </summary>
    internal static bool TryGet(int driverVersion, out Nvrtc compiler, out string reason)
    {
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(driverVersion, out var found)) Loaded[driverVersion] = found = Load(driverVersion);
            compiler = found.Compiler!;
            reason = found.Reason ?? "";
            return found.Compiler is not null;
        }
    }

    private static (Nvrtc?, string?) Load(int driverVersion)
    {
        bool windows = OperatingSystem.IsWindows();
        IReadOnlyList<string> candidates = CandidateLibraries(Environment.GetEnvironmentVariable("CUDA_PATH"),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ExistingSubdirectories, windows);
        Nvrtc? fallback = null;
        nint fallbackLibrary = 0;
        foreach (string candidate in candidates)
        {
            if (Path.IsPathRooted(candidate) && !File.Exists(candidate)) continue;
            if (!NativeLibrary.TryLoad(candidate, out nint library)) continue;
            Nvrtc found;
            try
            {
                found = new Nvrtc(library, candidate);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DeviceException)
            {
                NativeLibrary.Free(library);
                continue;
            }
            if (found.Version <= driverVersion)
            {
                if (fallback is not null) NativeLibrary.Free(fallbackLibrary);
                PreloadBuiltins(found);
                return (found, null);
            }
            if (fallback is null) (fallback, fallbackLibrary) = (found, library);
            else NativeLibrary.Free(library);
        }
        if (fallback is not null) PreloadBuiltins(fallback);
        return fallback is not null
            ? (fallback, null)
            : (null, $"CUDA: NVRTC not found (searched {string.Join(", ", LibraryNames(windows))} in {SearchedPlaces}); "
                     + "install the toolkit's NVRTC or set CUDA_PATH");
    }

    /// <summary>
    /// NVRTC opens libnvrtc-builtins.so.X.Y by name when it compiles; a toolkit directory that is not on the loader path
    /// (found through CUDA_PATH, say) would fail with NVRTC_ERROR_BUILTIN_OPERATION_FAILURE. Loading it first from the
    /// same directory lets that later lookup find it by its soname.
    /// </summary>
    private static void PreloadBuiltins(Nvrtc compiler)
    {
        if (OperatingSystem.IsWindows() || !Path.IsPathRooted(compiler.Location)) return;
        string builtins = Path.Combine(Path.GetDirectoryName(compiler.Location)!,
            $"libnvrtc-builtins.so.{CudaNative.FormatVersion(compiler.Version)}");
        if (File.Exists(builtins)) NativeLibrary.TryLoad(builtins, out _);
    }

    private static IEnumerable<string> ExistingSubdirectories(string parent, string pattern)
    {
        try
        {
            return Directory.Exists(parent) ? Directory.GetDirectories(parent, pattern) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out nint address)
            ? address
            : throw new EntryPointNotFoundException($"no entry point {name}");

    /// <summary>The virtual architectures this NVRTC can target (75, 80, 90...), empty when it cannot say (before 11.2).</summary>
    public int[] SupportedArchitectures()
    {
        int count;
        if (nvrtcGetNumSupportedArchs == null || nvrtcGetSupportedArchs == null || nvrtcGetNumSupportedArchs(&count) != 0 || count <= 0)
            return [];
        var archs = new int[count];
        fixed (int* a = archs)
            if (nvrtcGetSupportedArchs(a) != 0) return [];
        return archs;
    }

    /// <summary>
    /// The newest architecture NVRTC supports that the device runs (PTX for compute_80 runs on sm_90 via the driver's JIT),
    /// the device's own when the list is unknown, or -1 when NVRTC supports nothing that old.
    /// </summary>
    internal static int ChooseArchitecture(int deviceArchitecture, IReadOnlyList<int> supported) =>
        supported.Count == 0 ? deviceArchitecture : supported.Where(a => a <= deviceArchitecture).DefaultIfEmpty(-1).Max();

    /// <summary>Compiles <paramref name="source"/> to null-terminated PTX; a failure carries NVRTC's log.</summary>
    public byte[] CompileToPtx(string source, string programName, IReadOnlyList<string> options)
    {
        var strings = new List<nint>();
        nint program = 0;
        try
        {
            nint src = Utf8(source, strings), name = Utf8(programName, strings);
            nint[] optionPointers = options.Select(o => Utf8(o, strings)).ToArray();
            Check(nvrtcCreateProgram(&program, (byte*)src, (byte*)name, 0, null, null), "nvrtcCreateProgram");
            int result;
            fixed (nint* o = optionPointers)
                result = nvrtcCompileProgram(program, optionPointers.Length, (byte**)o);
            if (result != 0)
                throw new DeviceException($"NVRTC {CudaNative.FormatVersion(Version)} could not compile {programName} "
                    + $"({string.Join(' ', options)}): {ErrorName(result)} ({result})\n{Log(program)}");
            nuint size;
            Check(nvrtcGetPTXSize(program, &size), "nvrtcGetPTXSize");
            // One spare zero byte: cuModuleLoadDataEx reads PTX as a C string.
            var ptx = new byte[(int)size + 1];
            fixed (byte* p = ptx)
                Check(nvrtcGetPTX(program, p), "nvrtcGetPTX");
            return ptx;
        }
        finally
        {
            if (program != 0) nvrtcDestroyProgram(&program);
            foreach (nint s in strings) Marshal.FreeCoTaskMem(s);
        }
    }

    private static nint Utf8(string text, List<nint> owned)
    {
        nint pointer = Marshal.StringToCoTaskMemUTF8(text);
        owned.Add(pointer);
        return pointer;
    }

    private string Log(nint program)
    {
        nuint size;
        if (nvrtcGetProgramLogSize(program, &size) != 0 || size <= 1) return "(no compiler log)";
        var log = new byte[(int)size];
        fixed (byte* l = log)
            if (nvrtcGetProgramLog(program, l) != 0) return "(no compiler log)";
        return Encoding.UTF8.GetString(log).TrimEnd('\0', '\n', ' ');
    }

    private string ErrorName(int result) =>
        Marshal.PtrToStringUTF8((nint)nvrtcGetErrorString(result)) ?? $"NVRTC_ERROR_CODE_{result}";

    private void Check(int result, string function)
    {
        if (result != 0) throw new DeviceException($"{function} failed: {ErrorName(result)} ({result})");
    }
}
