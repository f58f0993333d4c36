using LoraLab.Engine.Checkpoints;
using TorchSharp;

namespace LoraLab.Engine.Tests.Checkpoints;

public sealed class SafetensorsRoundTripTests : IDisposable
{
    readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<SafetensorsDType> AllDTypes() => new(Enum.GetValues<SafetensorsDType>());

    static torch.Tensor TensorFromBytes(SafetensorsDType dtype, long[] shape, byte[] raw)
    {
        var tensor = torch.empty(shape, dtype.ToScalarType());
        tensor.bytes = raw;
        return tensor;
    }

    torch.Tensor RoundTrip(torch.Tensor tensor, string name = "t")
    {
        string path = _folder.File("round-trip.safetensors");
        SafetensorsWriter.Write(path, [new(name, tensor)]);
        using var file = SafetensorsFile.Open(path);
        return file.Load(name);
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void Every_dtype_round_trips_bit_exactly(SafetensorsDType dtype)
    {
        var random = new Random(1234);
        var raw = new byte[3 * 5 * dtype.ElementSize()];
        random.NextBytes(raw);
        if (dtype == SafetensorsDType.BOOL) raw = raw.Select(b => (byte)(b & 1)).ToArray(); // torch bools are 0 or 1
        using var original = TensorFromBytes(dtype, [3, 5], raw);

        using var loaded = RoundTrip(original);

        Assert.Equal(dtype.ToScalarType(), loaded.dtype);
        Assert.Equal([3L, 5L], loaded.shape);
        Assert.Equal(raw, loaded.bytes.ToArray());
    }

    [Theory]
    [InlineData(SafetensorsDType.F16)]
    [InlineData(SafetensorsDType.BF16)]
    public void Every_16_bit_float_pattern_survives_including_nans_and_subnormals(SafetensorsDType dtype)
    {
        var raw = new byte[65536 * 2];
        for (int pattern = 0; pattern < 65536; pattern++)
        {
            raw[2 * pattern] = (byte)pattern;
            raw[2 * pattern + 1] = (byte)(pattern >> 8);
        }
        using var original = TensorFromBytes(dtype, [65536], raw);

        using var loaded = RoundTrip(original);

        Assert.Equal(raw, loaded.bytes.ToArray());
    }

    [Fact]
    public void A_scalar_keeps_its_empty_shape_and_value()
    {
        using var scalar = torch.tensor(-2.5);

        using var loaded = RoundTrip(scalar);

        Assert.Empty(loaded.shape);
        Assert.Equal(-2.5, loaded.item<double>());
    }

    [Fact]
    public void A_zero_element_tensor_keeps_its_shape()
    {
        using var empty = torch.zeros([0, 7], dtype: torch.bfloat16);

        using var loaded = RoundTrip(empty);

        Assert.Equal([0L, 7L], loaded.shape);
        Assert.Equal(torch.ScalarType.BFloat16, loaded.dtype);
    }

    [Fact]
    public void A_transposed_tensor_is_stored_in_row_major_order_of_its_own_shape()
    {
        using var matrix = torch.arange(6, dtype: torch.int32).reshape(2, 3); // [[0 1 2] [3 4 5]]
        using var transposed = matrix.t();                                       // [[0 3] [1 4] [2 5]], not contiguous

        using var loaded = RoundTrip(transposed);

        Assert.Equal([3L, 2L], loaded.shape);
        Assert.Equal([0, 3, 1, 4, 2, 5], loaded.data<int>().ToArray());
    }

    [Fact]
    public void A_slice_of_a_larger_tensor_stores_only_its_own_elements()
    {
        using var whole = torch.arange(10, dtype: torch.int64);
        using var slice = whole.narrow(0, 4, 3); // contiguous, but starts 4 elements into its storage

        using var loaded = RoundTrip(slice);

        Assert.Equal([4L, 5L, 6L], loaded.data<long>().ToArray());
    }

    [Fact]
    public void Writing_neither_disposes_nor_changes_the_callers_tensor()
    {
        using var original = torch.arange(4, dtype: torch.float32);

        using var loaded = RoundTrip(original);

        Assert.Equal([0f, 1f, 2f, 3f], original.data<float>().ToArray());
    }

    [Fact]
    public void Loading_with_a_dtype_converts_after_reading_the_stored_values()
    {
        using var stored = torch.tensor(new float[] { 1.5f, -0.25f, 3f }).to(torch.bfloat16); // all exact in bf16
        string path = _folder.File("convert.safetensors");
        SafetensorsWriter.Write(path, [new("w", stored)]);
        using var file = SafetensorsFile.Open(path);

        using var loaded = file.Load("w", torch.CPU, torch.ScalarType.Float64);

        Assert.Equal(torch.ScalarType.Float64, loaded.dtype);
        Assert.Equal([1.5, -0.25, 3.0], loaded.data<double>().ToArray());
    }

    [Fact]
    public void Metadata_and_several_tensors_round_trip_by_name()
    {
        using var a = torch.tensor(new long[] { 1, 2 });
        using var b = torch.tensor(new[] { true, false, true });
        string path = _folder.File("several.safetensors");

        SafetensorsWriter.Write(path, [new("a", a), new("b", b)], new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode" });
        using var file = SafetensorsFile.Open(path);
        using var loadedA = file.Load("a");
        using var loadedB = file.Load("b");

        Assert.Equal(["a", "b"], file.Tensors.Keys.Order());
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("ünïcode", file.Metadata["note"]);
        Assert.Equal([1L, 2L], loadedA.data<long>().ToArray());
        Assert.Equal([true, false, true], loadedB.data<bool>().ToArray());
    }

    [Fact]
    public void Loading_an_unknown_name_names_the_file_and_the_tensor()
    {
        using var a = torch.ones(1);
        string path = _folder.File("known.safetensors");
        SafetensorsWriter.Write(path, [new("a", a)]);
        using var file = SafetensorsFile.Open(path);

        var error = Assert.Throws<KeyNotFoundException>(() => file.Load("missing.weight"));

        Assert.Contains("known.safetensors", error.Message);
        Assert.Contains("missing.weight", error.Message);
    }
}
