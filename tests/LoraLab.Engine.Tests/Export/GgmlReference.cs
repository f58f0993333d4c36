using System.Runtime.InteropServices;

namespace LoraLab.Engine.Tests.Export;

/// <summary>
/// ggml's own reference quantizers (<c>quantize_row_*_ref</c>, exported by the libggml-base.so that LLamaSharp ships),
/// called directly: the C code llama-quantize runs, for byte-for-byte comparison. The portable (noavx) build is used so
/// the answer does not depend on this machine's vector units.
/// </summary>
static class GgmlReference
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate void QuantizeRow(float[] x, byte[] y, long k);

    static readonly Lazy<IntPtr> Library = new(() =>
        NativeLibrary.Load(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "noavx", "libggml-base.so")));

    public static byte[] Quantize(string function, float[] x, long byteCount)
    {
        var quantize = Marshal.GetDelegateForFunctionPointer<QuantizeRow>(NativeLibrary.GetExport(Library.Value, function));
        var y = new byte[byteCount];
        quantize(x, y, x.Length);
        return y;
    }
}
