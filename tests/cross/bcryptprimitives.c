/*
 * A stand-in for Windows' bcryptprimitives.dll, for Wine builds that lack it (Debian 12's
 * Wine 8.0). Rust's standard library (1.78 and later) imports ProcessPrng from it for random
 * bytes (https://github.com/rust-lang/rust/pull/121337); without the DLL the loader stops the
 * process before main (exit 53). Only the test's own Wine prefix gets this file
 * (scripts/cross-test); users' Windows has the real DLL.
 *
 * ProcessPrng: https://learn.microsoft.com/en-us/windows/win32/seccng/processprng
 * It fills the buffer and always returns TRUE. RtlGenRandom (advapi32's SystemFunction036)
 * is Wine's own CSPRNG: https://learn.microsoft.com/en-us/windows/win32/api/ntsecapi/nf-ntsecapi-rtlgenrandom
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
