using System.Collections;

namespace GpuCascade.Paths;

/// <summary>
/// One output of a batch's paths (<see cref="PathOutputs"/>), a view into its slot matrix: element p of a per-path
/// output is path row p; a per-asset output is path-major, element <c>p x AssetCount + i</c> for asset i. Indexing
/// returns a reference (backends and tests write through it); it enumerates as doubles, so LINQ works on it.
/// </summary>
public readonly struct OutputColumn : IReadOnlyList<double>
{
    private readonly double[] _values;
    private readonly int _first, _width, _capacity;

    internal OutputColumn(double[] values, int firstColumn, int width, int capacity)
    {
        _values = values;
        _first = firstColumn;
        _width = width;
        _capacity = capacity;
    }

    /// <summary>Elements: the batch's capacity of paths times the assets of a per-asset output.</summary>
    public int Count => _capacity * _width;

    /// <summary>Element <paramref name="k"/>: path row k, or for a per-asset output path row k / N of asset k % N.</summary>
    public ref double this[int k]
    {
        get
        {
            if ((uint)k >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"an output of {Count} elements");
            return ref _values[(_first + k % _width) * _capacity + k / _width];
        }
    }

    double IReadOnlyList<double>.this[int index] => this[index];

    /// <summary>The elements, in order.</summary>
    public IEnumerator<double> GetEnumerator()
    {
        for (int k = 0; k < Count; k++) yield return this[k];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
