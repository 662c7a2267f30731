// The libFuzzer entry point: `make fuzz` builds this with -sanitize=fuzzer,address and
// -parse-as-library (libFuzzer supplies main). In an ordinary build it is an empty program.
import TalentProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func talentFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    FuzzEntry.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
