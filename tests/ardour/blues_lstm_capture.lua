ardour {
	["type"]    = "dsp",
	name        = "Blues LSTM Capture",
	category    = "Utility",
	license     = "ISC",
	author      = "Blues LSTM tests",
	description = [[Test probe for tests/ardour_session.rs: passes MIDI through unchanged and
records every event with its absolute session sample (cycle start + offset in the buffer),
plus transport markers, into shared memory for the session script to read.]]
}

-- Shared memory layout (32-bit ints, 1-based as seen from Lua):
--   [1] records written (atomic)   [2] records dropped (buffer full)
--   then CAPACITY records of FIELDS ints: sample, kind, a, b, c
--     kind 1: MIDI event      a = status byte, b = data 1, c = data 2
--     kind 2: transport rolls from `sample` (first cycle, or after a jump/locate/loop)
--     kind 3: transport stopped, position `sample`
-- An event's sample is Session:transport_sample () (the cycle's start, which is what the
-- route's processors are handed when the track has no latency) plus the event's buffer time.
local CAPACITY = 200000
local FIELDS = 5
local HEADER = 2

local was_rolling = false
local expect = -1

function dsp_ioconfig ()
	return { { midi_in = 1, midi_out = 1, audio_in = -1, audio_out = -1 }, }
end

function dsp_init (rate)
	self:shmem ():allocate (HEADER + CAPACITY * FIELDS)
	self:shmem ():clear ()
end

function dsp_configure (ins, outs)
	n_out = outs
end

local function put (mem, sample, kind, a, b, c)
	local n = self:shmem ():atomic_get_int (0)
	if n >= CAPACITY then
		mem[2] = mem[2] + 1
		return
	end
	local at = HEADER + n * FIELDS
	mem[at + 1] = sample
	mem[at + 2] = kind
	mem[at + 3] = a
	mem[at + 4] = b
	mem[at + 5] = c
	self:shmem ():atomic_set_int (0, n + 1)
end

function dsp_runmap (bufs, in_map, out_map, n_samples, offset)
	ARDOUR.DSP.process_map (bufs, n_out, in_map, out_map, n_samples, offset)

	local mem = self:shmem ():to_int (0):array ()
	local pos = Session:transport_sample ()
	local rolling = Session:transport_rolling ()

	if rolling then
		if not was_rolling or pos + offset ~= expect then
			put (mem, pos + offset, 2, 0, 0, 0)
		end
		expect = pos + offset + n_samples
	elseif was_rolling then
		put (mem, pos, 3, 0, 0, 0)
	end
	was_rolling = rolling

	local ib = in_map:get (ARDOUR.DataType ("midi"), 0)
	if ib == ARDOUR.ChanMapping.Invalid then
		return
	end
	for _, e in pairs (bufs:get_midi (ib):table ()) do
		local t = e:time ()
		if t >= offset and t < offset + n_samples then
			local d = e:buffer ():array ()
			local size = e:size ()
			put (mem, pos + t, 1, d[1], size > 1 and d[2] or 0, size > 2 and d[3] or 0)
		end
	end
end
