using System.Runtime.InteropServices;

namespace LoraLab.Web.Devices;

/// <summary>
/// Free and total memory of a CUDA device from the driver API (libcuda.so.1, which every NVIDIA driver installs and
/// the NVIDIA Container Toolkit mounts into containers). Device ordinals follow CUDA's enumeration, the same that
/// libtorch's cuda:N uses, CUDA_VISIBLE_DEVICES included. The reading is taken in the device's primary context, the one
/// libtorch trains in, so it creates no context of its own once training has touched the device.
/// </summary>
static class CudaDriverMemory
{
    const string Library = "libcuda.so.1";
    const int Success = 0;

    static readonly Lazy<bool> Initialized = new(() =>
    {
        try
        {
            return cuInit(0) == Success;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    });

    /// <summary>The device's memory, or null without a CUDA driver or when the driver refuses.</summary>
    public static DeviceMemoryReading? Read(int ordinal)
    {
        if (ordinal < 0 || !Initialized.Value) return null;
        if (cuDeviceGet(out int device, ordinal) != Success) return null;
        if (cuDevicePrimaryCtxRetain(out nint context, device) != Success) return null;
        try
        {
            if (cuCtxPushCurrent_v2(context) != Success) return null;
            try
            {
                return cuMemGetInfo_v2(out nuint free, out nuint total) == Success ? new((long)free, (long)total) : null;
            }
            finally
            {
                cuCtxPopCurrent_v2(out _);
            }
        }
        finally
        {
            cuDevicePrimaryCtxRelease_v2(device);
        }
    }

    [DllImport(Library)] static extern int cuInit(uint flags);
    [DllImport(Library)] static extern int cuDeviceGet(out int device, int ordinal);
    [DllImport(Library)] static extern int cuDevicePrimaryCtxRetain(out nint context, int device);
    [DllImport(Library)] static extern int cuDevicePrimaryCtxRelease_v2(int device);
    [DllImport(Library)] static extern int cuCtxPushCurrent_v2(nint context);
    [DllImport(Library)] static extern int cuCtxPopCurrent_v2(out nint context);
    [DllImport(Library)] static extern int cuMemGetInfo_v2(out nuint free, out nuint total);
}
