# Homebrew formula for uwsgitop (Linux only: it uses Linux socket flags,
# abstract unix sockets and /proc).
# url/sha256 name the tarball `meson dist` makes for a release; set them when
# the release is published. scripts/check-packaging.sh checks that the
# version and the dependencies agree with meson.build and that Ruby parses
# this file.
class Uwsgitop < Formula
  desc "Top-like monitor for uWSGI's stats server"
  homepage "https://uwsgitop.invalid/"
  url "https://uwsgitop.invalid/releases/uwsgitop-0.1.0.tar.xz"
  version "0.1.0"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license "MIT"

  depends_on "meson" => :build
  depends_on "ninja" => :build
  depends_on "pkgconf" => :build
  depends_on "rapidjson" => :build
  depends_on "scdoc" => :build
  # curl and libmicrohttpd are dlopen()ed (http(s):// addresses, --serve-metrics)
  depends_on "curl"
  depends_on :linux
  depends_on "libmicrohttpd"
  depends_on "libxcrypt"
  depends_on "ncurses"
  depends_on "tomlplusplus"
  depends_on "yaml-cpp"
  depends_on "zstd"

  uses_from_macos "zlib"

  def install
    system "meson", "setup", "build", "-Dman-pages=enabled", "-Dtests=disabled", *std_meson_args
    system "meson", "compile", "-C", "build", "--verbose"
    system "meson", "install", "-C", "build"
  end

  test do
    assert_match "uwsgitop #{version}", shell_output("#{bin}/uwsgitop --version")
    (testpath/"snap.json").write <<~JSON
      {"version":"2.0.21","listen_queue":0,"listen_queue_errors":0,"signal_queue":0,
       "load":0,"pid":100,"uid":0,"gid":0,"cwd":"/","locks":[],"sockets":[],
       "workers":[{"id":1,"pid":101,"accepting":1,"requests":7,"delta_requests":0,
       "exceptions":0,"harakiri_count":0,"signals":0,"signal_queue":0,"status":"idle",
       "rss":0,"vsz":0,"running_time":0,"last_spawn":1700000000,"respawn_count":1,
       "tx":0,"avg_rt":0,"apps":[],"cores":[]}]}
    JSON
    assert_match(/idle/, shell_output("#{bin}/uwsgitop --once --format tsv file:#{testpath}/snap.json"))
  end
end
