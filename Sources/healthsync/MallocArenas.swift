#if canImport(Glibc)
import Glibc
#endif

/// glibc's allocator gives each thread that meets contention an arena of
/// its own, up to eight per core, and keeps what each arena grew to: after
/// a 100 000-sample fetch the daemon held 30 MB in a dozen of them, freed
/// but not returned. One arena per core is as many as can be busy at once
/// (the 2-client handshake rate is unchanged; with one arena it fell 5 %).
enum MallocArenas {
    static func limitToCores() {
        #if canImport(Glibc)
        let cores = Int32(clamping: max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        _ = mallopt(mArenaMax, cores)
        #endif
    }

    /// M_ARENA_MAX from <malloc.h>.
    private static let mArenaMax: Int32 = -8
}

#if canImport(Glibc)
// mallopt(3) from <malloc.h>, which the Glibc module does not export.
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
