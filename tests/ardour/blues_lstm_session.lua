-- Plays Blues LSTM (VST3) in a real Ardour session, headless, and writes the MIDI it sends.
--
-- Run by scripts/ardour-session.sh with `ardour7-lua` (Ardour's session engine on its Dummy
-- backend: no JACK, no X). Settings come from the environment (the shell script sets them):
--   BLUES_SESSION_DIR  new session folder (must not exist)     BLUES_EVENTS  events file to write
--   BLUES_RATE 48000   BLUES_BPM 120   BLUES_CHORUSES 8   BLUES_LOOP_PASSES 4
--   BLUES_SPEED        Dummy backend driver: "20x Speed" (default), "Normal Speed", "50x Speed"…
-- The probe "Blues LSTM Capture" (tests/ardour/blues_lstm_capture.lua) must be in a folder
-- Ardour searches for Lua scripts: $XDG_CONFIG_HOME/ardour7/scripts.
--
-- What it does: a new session (4/4 at BLUES_BPM), one MIDI track with the plugin and the probe
-- right after it; the plugin's "Comping" parameter set to 0 % (the chords as pads, struck at
-- every bar line and chord change: what the checker can hold to the form); a loop range over bars 1-2 (written into the session file, then the session is
-- reloaded: Ardour 7's Lua API cannot create a loop range); then
--   1. the song: a bounded roll from sample 0 over BLUES_CHORUSES choruses of 12 bars, which
--      stops exactly at its end;
--   2. the loop: locate to 0, loop bars 1-2 until BLUES_LOOP_PASSES passes are done, then stop.
-- Output, one record a line (samples are absolute session samples):
--   E sample status data1 data2   a MIDI event after the plugin
--   R sample                      the transport rolls from sample (start, or a jump: loop, locate)
--   S sample                      the transport stopped at sample
--   phase song|loop               what follows belongs to that part of the run
-- plus `key value` header lines, and `end records dropped` last. Two of them say what the plugin
-- played with:
--   param INDEX LOWER UPPER VALUE LABEL   a parameter as Ardour reads it back after the reload
--                                         (plain value, in the plugin's own range)
--   state NAME VALUE                      a parameter in the plugin's own state (its VST3
--                                         getState, saved after the run): comp, swing, voice, style

local function env (name, default)
	local v = os.getenv (name)
	if v == nil or v == "" then return default end
	return v
end

local dir      = assert (os.getenv ("BLUES_SESSION_DIR"), "BLUES_SESSION_DIR not set")
local out_path = assert (os.getenv ("BLUES_EVENTS"), "BLUES_EVENTS not set")
local rate     = math.tointeger (tonumber (env ("BLUES_RATE", "48000")))
local bpm      = tonumber (env ("BLUES_BPM", "120"))
local choruses = math.tointeger (tonumber (env ("BLUES_CHORUSES", "8")))
local passes   = math.tointeger (tonumber (env ("BLUES_LOOP_PASSES", "4")))
local speed    = env ("BLUES_SPEED", "20x Speed")
local name     = "blues"
local plugin_name = "Blues LSTM"
local probe_name  = "Blues LSTM Capture"
-- Set before the session is saved, so the reloaded session (and the plugin's state) has it.
local SETTINGS = { { label = "Comping", value = 0 } }

local samples_per_beat = rate * 60 / bpm
assert (samples_per_beat == math.floor (samples_per_beat), "BPM must give a whole number of samples per beat")
samples_per_beat = math.tointeger (samples_per_beat)
local song_end   = choruses * 12 * 4 * samples_per_beat
local loop_start = 0
local loop_end   = 2 * 4 * samples_per_beat
local SUPERCLOCK = 282240000 -- Ardour 7's superclock ticks per second

local function fail (msg)
	io.stderr:write ("ardour-session: " .. msg .. "\n")
	os.exit (2)
end

local function processors (route)
	local list = {}
	local i = 0
	while true do
		local p = route:nth_processor (i)
		if p:isnil () then break end
		list[#list + 1] = p
		i = i + 1
	end
	return list
end

local function find_processor (route, display_name)
	for _, p in ipairs (processors (route)) do
		if p:display_name () == display_name then return p end
	end
	return nil
end

-- A plugin parameter by its label: its index and descriptor. For a VST3, Ardour's parameter
-- index is the plugin's parameter order (every one a control input), and values are plain, in
-- the range the plugin declares (Comping: 0..100), not normalised.
local function find_param (proc, label)
	local p = proc:to_insert ():plugin (0)
	for i = 0, p:parameter_count () - 1 do
		if p:parameter_label (i) == label then
			if not p:parameter_is_control (i) or not p:parameter_is_input (i) then
				fail ("the plugin's parameter \"" .. label .. "\" is not a control input")
			end
			local _, pd = p:get_parameter_descriptor (i, ARDOUR.ParameterDescriptor ())
			return i, pd[2]
		end
	end
	fail ("the plugin has no parameter \"" .. label .. "\"")
end

local function get_param (proc, i)
	local value, refs = ARDOUR.LuaAPI.get_processor_param (proc, i, true)
	if not refs[3] then fail ("cannot read parameter " .. i) end
	return value
end

-- The plugin's own state as saved in the session file (the VST3 <chunk>, base64; nih-plug puts
-- its parameters in it as JSON). Returns NAME -> value text for the names asked.
local function plugin_state (file, names)
	local f = assert (io.open (file, "r"))
	local xml = f:read ("a")
	f:close ()
	local at = xml:find ('type="vst3"', 1, true)
	local chunk = at and xml:match ("<chunk>([^<]*)</chunk>", at)
	if not chunk then return {} end
	local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	local index = {}
	for i = 1, 64 do index[B64:byte (i)] = i - 1 end
	local bytes, bits, n = {}, 0, 0
	for i = 1, #chunk do
		local v = index[chunk:byte (i)]
		if v then
			bits, n = (bits << 6) | v, n + 6
			if n >= 8 then
				n = n - 8
				bytes[#bytes + 1] = string.char ((bits >> n) & 0xFF)
				bits = bits & ((1 << n) - 1)
			end
		end
	end
	local text = table.concat (bytes)
	local found = {}
	for _, name in ipairs (names) do
		-- "comp":{"f32":0.0}   "voice":{"string":"led"}
		local v = text:match ('"' .. name .. '":{"[%w]+":"?([^"}]*)"?}')
		if v then found[#found + 1] = { name = name, value = v } end
	end
	return found
end

local function wait_for (what, seconds, cond)
	local waited = 0
	while not cond () do
		if waited >= seconds then fail ("timed out waiting for " .. what) end
		sleep (0.05)
		waited = waited + 0.05
	end
end

-- Part 1: build the session, save it, close it -------------------------------------------------

local function build ()
	local backend = AudioEngine:set_backend ("None (Dummy)", "", "")
	if backend:isnil () then fail ("no Dummy backend") end
	backend:set_driver (speed)
	print (string.format ("backend: %s, %s", AudioEngine:current_backend_name (), backend:driver_name ()))

	if not create_session (dir, name, rate) then fail ("cannot create a session in " .. dir) end

	local tm = Temporal.TempoMap.fetch_writable ()
	tm:set_tempo (Temporal.Tempo (bpm, bpm, 4), Temporal.timepos_t (0))
	tm:set_meter (Temporal.Meter (4, 4), Temporal.timepos_t (0))
	Temporal.TempoMap.update (tm)

	local midi1 = ARDOUR.ChanCount (ARDOUR.DataType ("midi"), 1)
	local tracks = Session:new_midi_track (midi1, midi1, true, ARDOUR.PluginInfo (), nil, nil, 1, "Blues",
		ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true, false)
	if tracks:size () ~= 1 then fail ("cannot add a MIDI track") end
	local track = tracks:front ()
	track:input ():disconnect_all (nil) -- nothing but the plugin plays on this track

	local plugin = ARDOUR.LuaAPI.new_plugin (Session, plugin_name, ARDOUR.PluginType.VST3, "")
	if plugin:isnil () then
		fail ("Ardour does not know the VST3 \"" .. plugin_name .. "\" (not scanned, or not on VST3_PATH)")
	end
	if track:add_processor_by_index (plugin, 0, nil, true) ~= 0 then fail ("cannot add the plugin") end
	for _, set in ipairs (SETTINGS) do
		local i, pd = find_param (plugin, set.label)
		if not ARDOUR.LuaAPI.set_processor_param (plugin, i, set.value) then
			fail (string.format ("cannot set \"%s\" (parameter %d, range %g..%g) to %g", set.label, i, pd.lower, pd.upper, set.value))
		end
		local got = get_param (plugin, i)
		print (string.format ("set %s (parameter %d, %g..%g, default %g) to %g: reads back %g", set.label, i, pd.lower, pd.upper, pd.normal, set.value, got))
		if got ~= set.value then fail (string.format ("\"%s\" reads back %g after setting %g", set.label, got, set.value)) end
	end

	local probe = ARDOUR.LuaAPI.new_luaproc (Session, probe_name)
	if probe:isnil () then fail ("no Lua DSP script \"" .. probe_name .. "\" in Ardour's script path") end
	if track:add_processor_by_index (probe, 1, nil, true) ~= 0 then fail ("cannot add the probe") end

	if not Session:save_state ("", false, false, false, false, false) then fail ("cannot save the session") end
end

local function add_loop_range ()
	local file = dir .. "/" .. name .. ".ardour"
	local f = assert (io.open (file, "r"))
	local xml = f:read ("a")
	f:close ()
	local loc = string.format ('<Location id="987654321" name="Loop" start="a%d" end="a%d" flags="IsAutoLoop" locked="0" timestamp="0" cue="0"/>',
		loop_start * (SUPERCLOCK // rate), loop_end * (SUPERCLOCK // rate))
	local n
	xml, n = xml:gsub ("<Locations/>", "<Locations>" .. loc .. "</Locations>", 1)
	if n == 0 then xml, n = xml:gsub ("<Locations>", "<Locations>" .. loc, 1) end
	if n ~= 1 then fail ("no <Locations> in " .. file) end
	f = assert (io.open (file, "w"))
	f:write (xml)
	f:close ()
end

build ()
collectgarbage () -- drop every reference into the session before closing it
Session:close ()
assert (SUPERCLOCK % rate == 0, "sample rate must divide Ardour's superclock rate")
add_loop_range ()

-- Part 2: load it and play ----------------------------------------------------------------------

if not load_session (dir, name) then fail ("cannot load the session again") end

local out = assert (io.open (out_path, "w"))
local header = {}
local function run ()
	local loop = Session:locations ():auto_loop_location ()
	if loop == nil then fail ("the loop range did not load") end
	if loop:start ():samples () ~= loop_start or loop:_end ():samples () ~= loop_end then
		fail (string.format ("loop range is %d..%d, want %d..%d", loop:start ():samples (), loop:_end ():samples (), loop_start, loop_end))
	end

	local track = Session:route_by_name ("Blues"):to_track ()
	if track:isnil () then fail ("the track did not load") end
	local chain, plugin_at, probe_at = {}, nil, nil
	for i, p in ipairs (processors (track)) do
		chain[#chain + 1] = p:display_name ()
		if p:display_name () == plugin_name then plugin_at = i end
		if p:display_name () == probe_name then probe_at = i end
	end
	if not plugin_at or not probe_at or probe_at ~= plugin_at + 1 then
		fail ("want the probe right after the plugin, have: " .. table.concat (chain, " > "))
	end
	local probe = find_processor (track, probe_name)
	local shm = probe:to_insert ():plugin (0):to_luaproc ():shmem ()
	local plugin_proc = find_processor (track, plugin_name)
	local plugin = plugin_proc:to_insert ()

	header[#header + 1] = "ardour " .. tostring (Session:engine ():current_backend_name ())
	header[#header + 1] = "rate " .. Session:nominal_sample_rate ()
	header[#header + 1] = "bpm " .. bpm
	header[#header + 1] = "beats_per_bar 4"
	header[#header + 1] = "block " .. Session:get_block_size ()
	header[#header + 1] = "song 0 " .. song_end
	header[#header + 1] = "loop " .. loop_start .. " " .. loop_end
	header[#header + 1] = "chain " .. table.concat (chain, " > ")
	-- Processors are handed (cycle start + route latency); the probe records the cycle start.
	header[#header + 1] = string.format ("latency %d %d %d", track:signal_latency (), track:output ():latency (), plugin:signal_latency ())
	for _, set in ipairs (SETTINGS) do
		local i, pd = find_param (plugin_proc, set.label)
		header[#header + 1] = string.format ("param %d %g %g %g %s", i, pd.lower, pd.upper, get_param (plugin_proc, i), set.label)
	end

	local function records () return shm:atomic_get_int (0) end
	local phases = {}

	-- 1. the song
	phases[#phases + 1] = { at = records (), name = "song" }
	local t0 = os.time ()
	Session:request_bounded_roll (0, song_end)
	wait_for ("the song to start", 30, function () return Session:transport_rolling () end)
	wait_for ("the song to end", 600, function () return Session:transport_stopped () and not Session:transport_rolling () end)
	sleep (0.3) -- a few more cycles: the NoteOffs sent at the stop
	local stopped_at = Session:transport_sample ()
	print (string.format ("song: %d choruses at %g BPM, stopped at sample %d (want %d), %d s wall", choruses, bpm, stopped_at, song_end, os.time () - t0))

	-- 2. the loop
	Session:request_locate (loop_start, false, ARDOUR.LocateTransportDisposition.MustStop, ARDOUR.TransportRequestSource.TRS_UI)
	wait_for ("the locate to the loop start", 30, function () return Session:transport_sample () == loop_start end)
	sleep (0.3)
	phases[#phases + 1] = { at = records (), name = "loop" }
	local loop_from = records ()
	t0 = os.time ()
	Session:request_play_loop (true, true)
	-- count the probe's "rolls from the loop start" markers: the first is the start, each
	-- further one a pass completed
	local function restarts ()
		local mem = shm:to_int (0):array ()
		local n, count = records (), 0
		for k = loop_from, n - 1 do
			local at = 2 + k * 5
			if mem[at + 2] == 2 and mem[at + 1] == loop_start then count = count + 1 end
		end
		return count
	end
	wait_for ("the loop passes", 600, function () return restarts () >= passes + 1 end)
	-- stop in the middle of the pass after the last full one
	local half = loop_start + (loop_end - loop_start) // 2
	wait_for ("mid-pass", 60, function () local s = Session:transport_sample (); return s >= half and s < loop_end end)
	Session:request_stop (false, false, ARDOUR.TransportRequestSource.TRS_UI)
	wait_for ("the loop to stop", 30, function () return not Session:transport_rolling () end)
	sleep (0.3)
	print (string.format ("loop: bars 1-2 (samples %d..%d), %d passes and a half, %d s wall", loop_start, loop_end, passes, os.time () - t0))

	-- the plugin's own word on what it played with: its state, saved now
	if not Session:save_state ("", false, false, false, false, false) then fail ("cannot save the session after the run") end
	local state = plugin_state (dir .. "/" .. name .. ".ardour", { "comp", "swing", "voice", "style" })
	for _, s in ipairs (state) do header[#header + 1] = "state " .. s.name .. " " .. s.value end
	if #state == 0 then print ("note: no parameters found in the plugin's saved state") end

	-- write it out
	for _, h in ipairs (header) do out:write (h, "\n") end
	local mem = shm:to_int (0):array ()
	local n, dropped = records (), mem[2]
	local next_phase = 1
	for k = 0, n - 1 do
		while phases[next_phase] and phases[next_phase].at == k do
			out:write ("phase ", phases[next_phase].name, "\n")
			next_phase = next_phase + 1
		end
		local at = 2 + k * 5
		local sample, kind = mem[at + 1], mem[at + 2]
		if kind == 1 then
			out:write (string.format ("E %d %d %d %d\n", sample, mem[at + 3], mem[at + 4], mem[at + 5]))
		elseif kind == 2 then
			out:write (string.format ("R %d\n", sample))
		elseif kind == 3 then
			out:write (string.format ("S %d\n", sample))
		end
	end
	while phases[next_phase] do
		out:write ("phase ", phases[next_phase].name, "\n")
		next_phase = next_phase + 1
	end
	out:write (string.format ("end %d %d\n", n, dropped))
	print (string.format ("wrote %d records (%d dropped) to %s", n, dropped, out_path))
end

run ()
out:close ()
collectgarbage ()
Session:close ()
