// The libFuzzer harness. `make fuzz` builds it with -sanitize=fuzzer,address and -DFUZZING: the
// entry point SwiftPM links (named <module>_main, so tests can link the module) then hands over
// to libFuzzer's driver. In an ordinary build `@main` below is the entry point: it replays the
// input files it is given (`talent-fuzz Tests/fuzz/corpus/*`), without libFuzzer.
import Foundation
import TalentProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func talentFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    FuzzEntry.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if FUZZING
public typealias Argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<Argv>,
                         _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("talent_fuzz_main")
public func talentFuzzMain(_ argc: Int32, _ argv: Argv) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, talentFuzzOneInput)
}
#else
@main
enum ReplayInputs {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                exit(1)
            }
            FuzzEntry.run(Array(data))
        }
    }
}
#endif
