// Compiled twice: as the MSBuild inline task declared in build/GlibcxxCompat.targets, and into the
// engine tests (with LORALAB_TESTS defined) so the ELF patching is tested on the real library.
// Inline tasks compile against netstandard: no spans here.
#nullable enable
using System;
using System.Runtime.InteropServices;
using System.IO;
using System.Text;

public static class ElfVersionNeeds
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    /// <summary>True when some libstdc++.so.6 on this host defines the symbol version <paramref name="version"/>.</summary>
    public static bool HostLibstdcxxHas(string version, out string? library)
    {
        string[] dirs =
        {
            "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
        };
        library = null;
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (string dir in dirs)
        {
            string path = Path.Combine(dir, "libstdc++.so.6");
            if (!File.Exists(path)) continue;
            library = path;
            if (IndexOf(File.ReadAllBytes(path), needle) >= 0) return true;
        }
        return false;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on every Vernaux entry of <c>.gnu.version_r</c> named <paramref name="version"/>,
    /// in place. Returns the number of entries changed (0 when absent or already weak).
    /// </summary>
    public static int MarkWeak(string elfPath, string version)
    {
        byte[] elf = File.ReadAllBytes(elfPath);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"{elfPath} is not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"{elfPath} is not a little-endian 64-bit ELF file.");

        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        int changed = 0;
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            int verneed = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            int linkedStrtab = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            uint needCount = BitConverter.ToUInt32(elf, sh + 0x2C);
            int strtab = checked((int)BitConverter.ToUInt64(elf, (int)shoff + linkedStrtab * shentsize + 0x18));

            int need = verneed;
            for (uint n = 0; n < needCount; n++)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
                int auxCount = BitConverter.ToUInt16(elf, need + 2);
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                    string name = ReadCString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8));
                    ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                    if (name == version && (flags & VerFlgWeak) == 0)
                    {
                        elf[aux + 4] = (byte)(flags | VerFlgWeak); // little-endian low byte holds bit 0x2
                        changed++;
                    }
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(elf, need + 12);
            }
        }
        if (changed > 0) File.WriteAllBytes(elfPath, elf);
        return changed;
    }

    static string ReadCString(byte[] bytes, int start)
    {
        int end = Array.IndexOf(bytes, (byte)0, start);
        return Encoding.ASCII.GetString(bytes, start, end - start);
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = Array.IndexOf(haystack, needle[0]); i >= 0 && i <= haystack.Length - needle.Length;
             i = Array.IndexOf(haystack, needle[0], i + 1))
        {
            int k = 1;
            while (k < needle.Length && haystack[i + k] == needle[k]) k++;
            if (k == needle.Length) return i;
        }
        return -1;
    }
}

#if !LORALAB_TESTS
public sealed class WeakenMissingGlibcxxVersion : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required] public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();
    [Microsoft.Build.Framework.Required] public string Version { get; set; } = "";

    public override bool Execute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || Libraries.Length == 0) return true;
        if (ElfVersionNeeds.HostLibstdcxxHas(Version, out string? host)) return true;
        foreach (var item in Libraries)
        {
            int changed = ElfVersionNeeds.MarkWeak(item.ItemSpec, Version);
            if (changed > 0)
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    $"LoRA Lab: {host ?? "libstdc++"} lacks {Version}; marked it weak in {item.ItemSpec}.");
        }
        return true;
    }
}
#endif
